using System.Security.Cryptography.X509Certificates;

namespace Dialtone.Interop.Tests.Infrastructure;

/// <summary>
/// The SIP-over-WebSocket server both softphones register with: where to connect, the domain of
/// their addresses of record, the CA to trust for wss:// (null for ws://), and the two accounts the
/// browser and Dialtone use. Anything that serves RFC 7118 fits — the embedded server, Kamailio.
/// </summary>
public sealed record SipServerEndpoint(Uri WebSocketUri, string Domain, X509Certificate2? TrustedRoot = null)
{
    /// <summary>The browser's account (no password: the server challenges nobody).</summary>
    public SipAccount Browser { get; init; } = new("browser");

    /// <summary>Dialtone's account.</summary>
    public SipAccount Dialtone { get; init; } = new("dialtone");

    public string UriOf(string user) => $"sip:{user}@{Domain}";

    public override string ToString() => $"{WebSocketUri} (domain {Domain})";
}

/// <summary>A user on the server, with the digest password when the server asks for one.</summary>
public sealed record SipAccount(string User, string? Password = null)
{
    /// <summary>Never the password, should a record end up in a log.</summary>
    public override string ToString() => User;
}

/// <summary>A running server for one test class; disposing stops it.</summary>
public interface IInteropServer : IAsyncDisposable
{
    SipServerEndpoint Endpoint { get; }
}
