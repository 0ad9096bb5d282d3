using Dialtone.Interop.Tests.Infrastructure;
using Dialtone.Server;
using Xunit.Abstractions;

namespace Dialtone.Interop.Tests.Servers;

/// <summary>Dialtone's in-process registrar/proxy as the server both softphones use.</summary>
internal sealed class EmbeddedInteropServer(EmbeddedSipServer server, SipServerEndpoint endpoint) : IInteropServer
{
    public SipServerEndpoint Endpoint { get; } = endpoint;

    public static async Task<IInteropServer> StartAsync(TestCertificateAuthority? tls)
    {
        var server = await EmbeddedSipServer.StartAsync(new EmbeddedSipServerOptions());
        return new EmbeddedInteropServer(server, new SipServerEndpoint(server.WebSocketUri, server.Domain, tls?.Root));
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();
}

/// <summary>Every browser scenario through the embedded server over ws://.</summary>
public sealed class OverEmbeddedServerWs(InteropEnvironment browser, ITestOutputHelper output) : BrowserInteropTests(browser, output)
{
    protected override Task<IInteropServer> StartServerAsync(InteropEnvironment environment) => EmbeddedInteropServer.StartAsync(tls: null);
}
