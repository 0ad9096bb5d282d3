using System.Net;

namespace Dialtone.Sip.Transport;

/// <summary>Whom a <see cref="SipUdpTransport"/> accepts requests from.</summary>
public sealed record SipUdpTransportOptions
{
    /// <summary>
    /// Accept requests from any source address, as a server (registrar, proxy) or a phone meant
    /// to be called directly must. Off by default: requests come only from addresses the
    /// transport sent to, or from <see cref="TrustedAddresses"/>.
    /// </summary>
    public bool AcceptRequestsFromAnyone { get; init; }

    /// <summary>Addresses whose requests are accepted from the start (e.g. every proxy of the service).</summary>
    public IReadOnlyCollection<IPAddress> TrustedAddresses { get; init; } = [];
}
