using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dialtone.Bindings;
using Dialtone.WebRtc.Interop;

namespace Dialtone.WebRtc;

/// <summary>
/// W3C RTCDTMFSender: RFC 4733 telephone-events on the audio sender. <see cref="ToneChanged"/> is
/// raised on the connection's event thread as each tone starts, and with an empty tone when the
/// queue is done.
/// </summary>
public sealed unsafe class DtmfSender
{
    private readonly PeerConnection owner;
    private readonly DtDtmfSender* native;

    internal DtmfSender(PeerConnection owner, DtDtmfSender* native)
    {
        this.owner = owner;
        this.native = native;
        var self = GCHandle.Alloc(this, GCHandleType.Weak);
        owner.Handle.OwnCallbackHandle(self);
        var callbacks = new DtDtmfCallbacks { StructSize = (uint)sizeof(DtDtmfCallbacks), OnToneChange = &OnToneChangeNative };
        using var scope = new HandleScope(owner.Handle);
        ThrowHelper.ThrowIfFailed(WebRtcShim.dt_dtmf_sender_set_callbacks(native, &callbacks, (void*)GCHandle.ToIntPtr(self)), "dt_dtmf_sender_set_callbacks");
    }

    public event EventHandler<DtmfToneChangedEventArgs>? ToneChanged;

    /// <summary>True once telephone-event was negotiated and the sender is sending.</summary>
    public bool CanInsertDtmf
    {
        get
        {
            byte can;
            using var scope = new HandleScope(owner.Handle);
            ThrowHelper.ThrowIfFailed(WebRtcShim.dt_dtmf_sender_can_insert(native, &can), "dt_dtmf_sender_can_insert");
            return can != 0;
        }
    }

    /// <summary>
    /// Queues tones ("0"-"9", "A"-"D", "#", "*", "," = 2 s pause), replacing a queue in progress.
    /// Duration 40–6000 ms (default 100 ms), gap at least 30 ms (default 70 ms).
    /// </summary>
    public void InsertDtmf(string tones, TimeSpan? duration = null, TimeSpan? interToneGap = null)
    {
        var (durationMs, gapMs) = DtmfTones.Validate(tones, duration, interToneGap);
        using var scope = new HandleScope(owner.Handle);
        ThrowHelper.ThrowIfFailed(WebRtcShim.dt_dtmf_sender_insert(native, tones, durationMs, gapMs), "dt_dtmf_sender_insert");
    }

    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void OnToneChangeNative(void* userData, byte* tone)
    {
        try
        {
            if (userData is null || GCHandle.FromIntPtr((nint)userData).Target is not DtmfSender sender)
            {
                return;
            }

            var args = new DtmfToneChangedEventArgs(Utf8.FromNullTerminated(tone));
            sender.owner.Dispatcher.Post(() => sender.ToneChanged?.Invoke(sender, args));
        }
        catch (Exception)
        {
            // Nothing may cross into native code.
        }
    }
}

/// <summary>A tone started; <see cref="Tone"/> is empty when the queue is done.</summary>
public sealed class DtmfToneChangedEventArgs(string tone) : EventArgs
{
    public string Tone { get; } = tone;
}
