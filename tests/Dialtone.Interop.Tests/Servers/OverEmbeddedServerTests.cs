using Dialtone.Interop.Tests.Infrastructure;
using Dialtone.Server;
using Dialtone.Sip.Transport;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Dialtone.Interop.Tests.Servers;

/// <summary>Every browser scenario through the embedded server over ws://.</summary>
public sealed class OverEmbeddedServerWs(InteropEnvironment browser, ITestOutputHelper output) : BrowserInteropTests(browser, output)
{
    protected override Task<IInteropServer> StartServerAsync(InteropEnvironment environment) => EmbeddedInteropServer.StartAsync(tls: null);
}

/// <summary>
/// Every browser scenario through the embedded server over wss://, with a CA made at run time that
/// Chromium trusts through its NSS database and Dialtone through SipTlsOptions.TrustedRootCertificates.
/// </summary>
public sealed class OverEmbeddedServerWss(InteropEnvironment browser, ITestOutputHelper output) : BrowserInteropTests(browser, output)
{
    private readonly InteropEnvironment _browser = browser;

    protected override Task<IInteropServer> StartServerAsync(InteropEnvironment environment) =>
        EmbeddedInteropServer.StartAsync(environment.CertificateAuthority);

    [Fact]
    public async Task Neither_side_connects_to_a_server_whose_CA_it_does_not_trust()
    {
        using var stranger = TestCertificateAuthority.Create();
        await using var server = await EmbeddedInteropServer.StartAsync(stranger);
        // Each side trusts the suite's CA, not the stranger's that signed this server's certificate.
        var endpoint = server.Endpoint with { TrustedRoot = _browser.CertificateAuthority.Root };

        var browserError = await Assert.ThrowsAsync<PlaywrightException>(() => _browser.OpenPhoneAsync(endpoint, endpoint.Browser, 1000));
        Assert.Contains("WebSocket", browserError.Message);
        await Assert.ThrowsAsync<SipTransportException>(() => DialtonePhone.StartAsync(endpoint, endpoint.Dialtone, 0, 1000));
    }
}
