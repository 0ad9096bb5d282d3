using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Stack;

/// <summary>
/// Turns the URI a request is sent to (its first Route, else its Request-URI) into transport
/// destinations, in the order to try them (RFC 3263: NAPTR/SRV/A in a full implementation).
/// </summary>
public interface ISipTargetResolver
{
    /// <summary>Returns at least one destination, or throws <see cref="SipTransportException"/>.</summary>
    ValueTask<IReadOnlyList<SipEndPoint>> ResolveAsync(SipUri target, CancellationToken cancellationToken);
}
