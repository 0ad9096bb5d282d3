using System.Net;

namespace Dialtone.Sip.Transport;

/// <summary>
/// Where a message came from or goes to: a transport kind and a network address. For connection
/// oriented transports <see cref="ConnectionId"/> names the connection a request arrived on, so
/// responses go back over it (RFC 3261 §18.2.2); it is null for UDP and for "any connection".
/// </summary>
public sealed record SipEndPoint(SipTransportKind Kind, IPEndPoint Address, string? ConnectionId = null)
{
    public override string ToString() =>
        ConnectionId is null ? $"{Kind.ViaToken()}:{Address}" : $"{Kind.ViaToken()}:{Address}#{ConnectionId}";
}
