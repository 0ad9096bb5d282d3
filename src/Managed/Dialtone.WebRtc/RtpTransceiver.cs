using Dialtone.Bindings;
using Dialtone.WebRtc.Interop;

namespace Dialtone.WebRtc;

/// <summary>
/// W3C RTCRtpTransceiver of an audio m-line. Owned by its peer connection: valid until the
/// connection is disposed (then every member throws <see cref="ObjectDisposedException"/>).
/// </summary>
public sealed unsafe class RtpTransceiver
{
    private readonly PeerConnection owner;
    private readonly DtTransceiver* native;
    private readonly Lock gate = new();
    private DtmfSender? dtmf;
    private bool muted;

    internal RtpTransceiver(PeerConnection owner, DtTransceiver* native)
    {
        this.owner = owner;
        this.native = native;
    }

    // For the per-call audio and DTMF receiver extensions (Audio/).
    internal PeerConnection Owner => owner;

    internal DtTransceiver* Native => native;

    /// <summary>The direction wanted in the next offer/answer (hold: SendOnly; unhold: SendRecv).</summary>
    public RtpTransceiverDirection Direction
    {
        get
        {
            DtTransceiverDirection direction;
            using var scope = new HandleScope(owner.Handle);
            ThrowHelper.ThrowIfFailed(WebRtcShim.dt_transceiver_get_direction(native, &direction), "dt_transceiver_get_direction");
            return (RtpTransceiverDirection)direction;
        }

        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "unknown direction");
            }

            using var scope = new HandleScope(owner.Handle);
            ThrowHelper.ThrowIfFailed(WebRtcShim.dt_transceiver_set_direction(native, (DtTransceiverDirection)value), "dt_transceiver_set_direction");
        }
    }

    /// <summary>The negotiated direction; null before negotiation.</summary>
    public RtpTransceiverDirection? CurrentDirection
    {
        get
        {
            DtTransceiverDirection direction;
            byte hasValue;
            using var scope = new HandleScope(owner.Handle);
            ThrowHelper.ThrowIfFailed(WebRtcShim.dt_transceiver_get_current_direction(native, &direction, &hasValue), "dt_transceiver_get_current_direction");
            return hasValue != 0 ? (RtpTransceiverDirection)direction : null;
        }
    }

    /// <summary>The media id; null before negotiation.</summary>
    public string? Mid
    {
        get
        {
            using var scope = new HandleScope(owner.Handle);
            var t = native;
            string mid = Utf8.ReadString((buffer, capacity, needed) => WebRtcShim.dt_transceiver_get_mid(t, buffer, capacity, needed), "dt_transceiver_get_mid");
            return mid.Length == 0 ? null : mid;
        }
    }

    /// <summary>Mutes the local track (silence is sent) or unmutes it. Needs a local track.</summary>
    public bool Muted
    {
        get
        {
            lock (gate)
            {
                return muted;
            }
        }

        set
        {
            lock (gate)
            {
                using var scope = new HandleScope(owner.Handle);
                ThrowHelper.ThrowIfFailed(WebRtcShim.dt_transceiver_set_muted(native, value ? (byte)1 : (byte)0), "dt_transceiver_set_muted");
                muted = value;
            }
        }
    }

    /// <summary>The DTMF sender of this transceiver's RTP sender.</summary>
    public DtmfSender Dtmf
    {
        get
        {
            lock (gate)
            {
                if (dtmf is null)
                {
                    DtDtmfSender* sender = null;
                    using var scope = new HandleScope(owner.Handle);
                    ThrowHelper.ThrowIfFailed(WebRtcShim.dt_transceiver_get_dtmf_sender(native, &sender), "dt_transceiver_get_dtmf_sender");
                    dtmf = new DtmfSender(owner, sender);
                }

                return dtmf;
            }
        }
    }
}

/// <summary>A local audio track added with <see cref="PeerConnection.AddAudioTrack"/>, fed by the factory's audio device.</summary>
public sealed class AudioTrack
{
    internal AudioTrack(RtpTransceiver transceiver, string? id)
    {
        Transceiver = transceiver;
        Id = id;
    }

    /// <summary>The id given when the track was added (null: libwebrtc chose one).</summary>
    public string? Id { get; }

    public RtpTransceiver Transceiver { get; }

    /// <summary>Sends silence while true.</summary>
    public bool Muted
    {
        get => Transceiver.Muted;
        set => Transceiver.Muted = value;
    }

    public DtmfSender Dtmf => Transceiver.Dtmf;
}
