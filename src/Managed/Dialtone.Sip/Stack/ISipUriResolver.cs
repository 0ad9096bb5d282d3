using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Stack;

/// <summary>
/// Turns the URI a request is sent to (its first Route, else its Request-URI) into transport
/// destinations, in the order to try them. <see cref="SipUriResolver"/> is the standard
/// implementation; it delegates the host lookup (RFC 3263 NAPTR/SRV/A) to a <see cref="SipHostResolver"/>.
/// </summary>
public interface ISipUriResolver
{
    /// <summary>Returns at least one destination, or throws <see cref="SipTransportException"/>.</summary>
    ValueTask<IReadOnlyList<SipEndPoint>> ResolveAsync(SipUri target, CancellationToken cancellationToken);
}

/// <summary>
/// Host-level lookup (RFC 3263 §4): host, the URI's explicit port, the transport the URI asks
/// for (null when it does not say, so NAPTR may choose), and whether it is a sips: URI.
/// </summary>
public delegate ValueTask<IReadOnlyList<SipEndPoint>> SipHostResolver(string host, int? port, SipTransportKind? transport, bool secure, CancellationToken cancellationToken);
