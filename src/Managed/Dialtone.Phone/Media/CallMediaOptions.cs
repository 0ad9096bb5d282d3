using Dialtone.Sip.Sessions;
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
    /// Once one STUN/TURN server has answered, how long the others may take before the offer or
    /// answer leaves without them (rules: <see cref="Network.IceGatheringWait"/>).
    /// </summary>
    public TimeSpan IceGatheringGrace { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A call whose peer sent nothing (no RTP, RTCP or ICE consent on the selected path) for this
    /// long is ended with BYE (<see cref="CallEndReason.MediaFailed"/>): the peer vanished. Null
    /// never ends a call for silence. ICE/DTLS failure ends it at once either way.
    /// </summary>
    public TimeSpan? MediaTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Each call's own audio source when the user agent's audio device is <see cref="AudioDeviceKind.PerCall"/>
    /// (no sound card, no sound server — see <c>Call.Audio</c>): the rate of the PCM the application pushes
    /// (8, 16 or 48 kHz) and the call's audio processing, all off by default (what a bot wants).
    /// Ignored on a device (the device's processing is <see cref="PeerConnectionFactoryOptions.AudioProcessing"/>).
    /// </summary>
    public CallAudioSourceOptions CallAudio { get; init; } = new();

    /// <summary>
    /// Per-call mode only: chooses <see cref="CallAudio"/> for each call from why it was made (direction,
    /// target) — e.g. echo cancellation on for calls a person takes on a headset. Null: <see cref="CallAudio"/> for every call.
    /// </summary>
    public Func<SessionMediaRequest, CallAudioSourceOptions>? ChooseCallAudio { get; init; }
}
