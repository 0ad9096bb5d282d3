using Dialtone.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Dialtone.Interop.Tests.Servers;

/// <summary>
/// Every browser scenario through a real Kamailio over ws:// — JsSIP and Dialtone both answering
/// its digest challenges. (wss:// through Kamailio needs its certificate from the suite's CA, which
/// the browser trusts; KamailioServer makes its own CA for now.)
/// </summary>
public sealed class OverKamailioWs(InteropEnvironment browser, ITestOutputHelper output) : BrowserInteropTests(browser, output)
{
    protected override Task<IInteropServer> StartServerAsync(InteropEnvironment environment) => KamailioInteropServer.StartAsync();
}
