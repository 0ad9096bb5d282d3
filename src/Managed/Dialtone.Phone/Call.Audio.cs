using Dialtone.Phone.Audio;
using Dialtone.WebRtc;

namespace Dialtone.Phone;

// Per-call audio and the RFC 4733 digits of a WebRTC call (issue 14).
public sealed partial class Call
{
    private CallAudio? _audio;

    /// <summary>
    /// This call's own audio: its source (per-call mode: push PCM or play a WAV) and sinks (read or record
    /// what the peer says in this call alone). See <see cref="CallAudio"/>.
    /// </summary>
    public CallAudio Audio => LazyInitializer.EnsureInitialized(ref _audio, () => new CallAudio(_media));

    /// <summary>RFC 4733 events read from the call's RTP join the digits of SIP INFO in <see cref="DtmfReceived"/>, in order.</summary>
    private void AttachCallAudio()
    {
        if (_media is null)
            return;
        _media.DtmfReceived += (_, e) =>
        {
            if (e.Tone is char digit)
                _events.Raise(this, DtmfReceived, new DtmfReceivedEventArgs(digit, e.Duration) { Transport = DtmfTransport.Rfc4733 });
        };
    }
}

/// <summary>How a received DTMF digit travelled.</summary>
public enum DtmfTransport
{
    /// <summary>RFC 4733 telephone-events in the call's RTP (read from the packets, not from the decoded audio).</summary>
    Rfc4733,

    /// <summary>A SIP INFO request (application/dtmf-relay or application/dtmf).</summary>
    SipInfo,
}
