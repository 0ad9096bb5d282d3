using Dialtone.Interop.Tests.Infrastructure;
using Dialtone.Sip.IntegrationTests.Infrastructure;

namespace Dialtone.Interop.Tests.Servers;

/// <summary>
/// A real Kamailio (registrar + proxy with digest auth, tests/infra/kamailio) as the server both
/// softphones use: the browser registers as alice and Dialtone as bob, each with its password, and
/// every INVITE is challenged with 407.
/// </summary>
internal sealed class KamailioInteropServer(KamailioServer kamailio, bool secure) : IInteropServer
{
    public SipServerEndpoint Endpoint { get; } = new(secure ? kamailio.WssUri : kamailio.WsUri, KamailioServer.Domain, secure ? kamailio.CaCertificate : null)
    {
        Browser = new SipAccount("alice", KamailioServer.Passwords["alice"]),
        Dialtone = new SipAccount("bob", KamailioServer.Passwords["bob"]),
    };

    /// <param name="secure">wss://: Kamailio's own test CA is added to the browser's trust anchors first.</param>
    public static async Task<IInteropServer> StartAsync(InteropEnvironment environment, bool secure)
    {
        var kamailio = await KamailioServer.StartNewAsync();
        try
        {
            if (secure)
                await environment.TrustAsync(kamailio.CaCertificate);
            return new KamailioInteropServer(kamailio, secure);
        }
        catch
        {
            await kamailio.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => kamailio.DisposeAsync();
}
