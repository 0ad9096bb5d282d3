using Dialtone.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Dialtone.Interop.Tests.Servers;

/// <summary>Every browser scenario through a real Kamailio over ws://, both sides answering its digest challenges.</summary>
public sealed class OverKamailioWs(InteropEnvironment browser, ITestOutputHelper output) : BrowserInteropTests(browser, output)
{
    protected override Task<IInteropServer> StartServerAsync(InteropEnvironment environment) => KamailioInteropServer.StartAsync(environment, secure: false);
}

/// <summary>
/// Every browser scenario through a real Kamailio over wss://, with the test CA Kamailio's
/// harness makes: trusted by Chromium through its NSS database, by Dialtone through TrustedRootCertificates.
/// </summary>
public sealed class OverKamailioWss(InteropEnvironment browser, ITestOutputHelper output) : BrowserInteropTests(browser, output)
{
    protected override Task<IInteropServer> StartServerAsync(InteropEnvironment environment) => KamailioInteropServer.StartAsync(environment, secure: true);
}
