namespace Dialtone.WebRtc;

/// <summary>W3C RTCSessionDescriptionInit: an SDP and its role in offer/answer.</summary>
public sealed record SessionDescription(SdpType Type, string Sdp);

/// <summary>
/// W3C RTCIceCandidateInit: a candidate line ("candidate:..."), the media id and m-line index it
/// belongs to.
/// </summary>
public sealed record IceCandidate(string Candidate, string? SdpMid, int SdpMLineIndex);

/// <summary>Payload of the state events.</summary>
public sealed class StateChangedEventArgs<TState>(TState state) : EventArgs
{
    public TState State { get; } = state;
}
