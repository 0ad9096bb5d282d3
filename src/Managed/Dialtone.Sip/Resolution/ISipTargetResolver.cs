using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Resolution;

/// <summary>
/// Turns the host part of a SIP URI into the ordered list of endpoints to try (RFC 3263 §4).
/// The caller tries them in order and moves to the next when a transport error occurs.
/// </summary>
public interface ISipTargetResolver
{
    ValueTask<IReadOnlyList<SipEndPoint>> ResolveAsync(SipTargetRequest target, CancellationToken cancellationToken = default);
}

/// <summary>
/// What RFC 3263 looks at in the target URI: host, explicit port, the <c>transport=</c>
/// parameter, and whether the scheme is <c>sips</c>.
/// </summary>
/// <param name="Host">Host name, IPv4 address, or IPv6 address (brackets optional).</param>
/// <param name="Port">The URI's explicit port, if any.</param>
/// <param name="Transport">From the <c>transport=</c> parameter, if present.</param>
/// <param name="Secure">True for a <c>sips:</c> URI: only TLS (or WSS) targets are acceptable.</param>
public sealed record SipTargetRequest(string Host, int? Port = null, SipTransportKind? Transport = null, bool Secure = false);

/// <summary>The target name has no usable address records.</summary>
public sealed class SipResolutionException(string message, Exception? inner = null) : Exception(message, inner);
