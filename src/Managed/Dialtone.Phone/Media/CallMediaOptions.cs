using Dialtone.WebRtc;

namespace Dialtone.Phone.Media;

/// <summary>How a call's media is set up.</summary>
public sealed record CallMediaOptions
{
    /// <summary>STUN/TURN servers and ICE policy for each call's peer connection.</summary>
    public PeerConnectionConfiguration PeerConnection { get; init; } = new();

    /// <summary>
    /// The longest wait for ICE gathering before an offer or answer is sent with the candidates
    /// gathered so far: SIP carries complete SDP, not trickled candidates.
    /// </summary>
    public TimeSpan IceGatheringCap { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// A call whose peer sent nothing (no RTP, RTCP or ICE consent on the selected path) for this
    /// long is ended with BYE (<see cref="CallEndReason.MediaFailed"/>): the peer vanished. Null
    /// never ends a call for silence. ICE/DTLS failure ends it at once either way.
    /// </summary>
    public TimeSpan? MediaTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
