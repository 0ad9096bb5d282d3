using Dialtone.Interop.Tests.Infrastructure;
using Dialtone.Server;

namespace Dialtone.Interop.Tests.Servers;

/// <summary>Dialtone's in-process registrar/proxy as the server both softphones use.</summary>
internal sealed class EmbeddedInteropServer(EmbeddedSipServer server, SipServerEndpoint endpoint) : IInteropServer
{
    public SipServerEndpoint Endpoint { get; } = endpoint;

    /// <param name="tls">For wss://: the CA whose server certificate the server presents and both softphones trust.</param>
    public static async Task<IInteropServer> StartAsync(TestCertificateAuthority? tls)
    {
        var server = await EmbeddedSipServer.StartAsync(new EmbeddedSipServerOptions { TlsCertificate = tls?.ServerCertificate });
        return new EmbeddedInteropServer(server, new SipServerEndpoint(server.WebSocketUri, server.Domain, tls?.Root));
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
