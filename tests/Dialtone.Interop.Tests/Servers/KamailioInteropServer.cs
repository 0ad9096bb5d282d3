using Dialtone.Interop.Tests.Infrastructure;
using Dialtone.Sip.IntegrationTests.Infrastructure;

namespace Dialtone.Interop.Tests.Servers;

/// <summary>
/// A real Kamailio (registrar + proxy with digest auth, tests/infra/kamailio) as the server both
/// softphones use: the browser registers as alice and Dialtone as bob, each with its password, and
/// every INVITE is challenged with 407.
/// </summary>
internal sealed class KamailioInteropServer(KamailioServer kamailio) : IInteropServer
{
    public SipServerEndpoint Endpoint { get; } = new(kamailio.WsUri, KamailioServer.Domain)
    {
        Browser = new SipAccount("alice", KamailioServer.Passwords["alice"]),
        Dialtone = new SipAccount("bob", KamailioServer.Passwords["bob"]),
    };

    public static async Task<IInteropServer> StartAsync() => new KamailioInteropServer(await KamailioServer.StartNewAsync());

    public ValueTask DisposeAsync() => kamailio.DisposeAsync();
}
