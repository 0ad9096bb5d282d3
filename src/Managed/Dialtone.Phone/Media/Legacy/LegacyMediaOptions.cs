using System.Net;
using Dialtone.Sip.Sdp;

namespace Dialtone.Phone.Media.Legacy;

/// <summary>
/// An account's media policy for peers without WebRTC (carrier trunks, PBXs, desk phones). Secure
/// by default: SDES-SRTP is taken, unencrypted RTP/AVP only with <see cref="AllowUnencryptedMedia"/>.
/// </summary>
public sealed record LegacyMediaOptions
{
    /// <summary>
    /// Accept incoming plain RTP/AVP offers (and allow <see cref="MediaProfile.Plain"/> outgoing).
    /// Off by default: such offers are refused 488 with a Warning that names this option.
    /// </summary>
    public bool AllowUnencryptedMedia { get; init; }

    /// <summary>How outgoing calls offer media: WebRTC (ICE + DTLS-SRTP), SDES (RTP/SAVP) or plain (RTP/AVP).</summary>
    public MediaProfile OutgoingProfile { get; init; } = MediaProfile.WebRtc;

    /// <summary>The address the RTP sockets bind to (default: every IPv4 address).</summary>
    public IPAddress LocalAddress { get; init; } = IPAddress.Any;

    /// <summary>
    /// The address our SDP's c= line carries. Null: <see cref="LocalAddress"/> when it is a concrete
    /// address; else, in a user agent, the local address its SIP flow to the server leaves from
    /// (<see cref="MediaPolicy.FlowAddress"/>); else the first non-loopback IPv4 address of this host.
    /// </summary>
    public IPAddress? AdvertisedAddress { get; init; }

    /// <summary>Learn the peer's real address from its first valid packet (peers behind NAT).</summary>
    public bool Latching { get; init; } = true;

    /// <summary>Audio codecs offered and accepted, in preference order (default G.711, G.722, Opus).</summary>
    public IReadOnlyList<SdpCodec> Codecs { get; init; } = LegacyAudio.DefaultCodecs;

    /// <summary>End the call (MediaFailed) when nothing arrives from an active peer for this long; null: never.</summary>
    public TimeSpan? MediaTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The name of <see cref="AllowUnencryptedMedia"/> as a 488 Warning quotes it.</summary>
    internal const string AllowUnencryptedOptionName = "LegacyMediaOptions.AllowUnencryptedMedia";
}
