using System.Net;

namespace Dialtone.Sip.Transport;

/// <summary>
/// Where a message came from or goes to: a transport kind and a network address. For connection
/// oriented transports <see cref="ConnectionId"/> names the connection a request arrived on, so
/// responses go back over it (RFC 3261 §18.2.2); it is null for UDP and for "any connection".
/// </summary>
public sealed record SipEndPoint(SipTransportKind Kind, IPEndPoint Address, string? ConnectionId = null)
{
    /// <summary>
    /// The DNS name this address was resolved from (RFC 3263), used for TLS server name indication
    /// and certificate verification when a new connection is opened. It is a hint, not part of
    /// the endpoint's identity: two endpoints differing only in host name are equal.
    /// </summary>
    public string? HostName { get; init; }

    public bool Equals(SipEndPoint? other) =>
        other is not null && Kind == other.Kind && Address.Equals(other.Address) && ConnectionId == other.ConnectionId;

    public override int GetHashCode() => HashCode.Combine(Kind, Address, ConnectionId);

    public override string ToString() =>
        ConnectionId is null ? $"{Kind.ViaToken()}:{Address}" : $"{Kind.ViaToken()}:{Address}#{ConnectionId}";
}
