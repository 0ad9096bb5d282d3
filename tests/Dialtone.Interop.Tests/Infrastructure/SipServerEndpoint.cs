using System.Security.Cryptography.X509Certificates;

namespace Dialtone.Interop.Tests.Infrastructure;

/// <summary>
/// The SIP-over-WebSocket server both softphones register with: where to connect, the domain of
/// their addresses of record, and the CA to trust for wss:// (null for ws://). Anything that serves
/// RFC 7118 fits — the embedded server today, Kamailio tomorrow.
/// </summary>
public sealed record SipServerEndpoint(Uri WebSocketUri, string Domain, X509Certificate2? TrustedRoot = null)
{
    public string UriOf(string user) => $"sip:{user}@{Domain}";

    public override string ToString() => $"{WebSocketUri} (domain {Domain})";
}

/// <summary>A running server for one test class; disposing stops it.</summary>
public interface IInteropServer : IAsyncDisposable
{
    SipServerEndpoint Endpoint { get; }
}
