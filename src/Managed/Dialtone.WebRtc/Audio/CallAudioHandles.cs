using System.Runtime.InteropServices;
using Dialtone.Bindings;

namespace Dialtone.WebRtc.Interop;

// The native per-call audio objects outlive their peer connection and factory by themselves (they
// keep what they need), so their handles have no parent.

/// <summary>Owns a dt_call_audio_source.</summary>
internal sealed unsafe class CallAudioSourceHandle() : SafeHandle(0, ownsHandle: true)
{
    public override bool IsInvalid => handle == 0;

    public DtCallAudioSource* Pointer => (DtCallAudioSource*)handle;

    public void Attach(DtCallAudioSource* source) => SetHandle((nint)source);

    protected override bool ReleaseHandle() => WebRtcShim.dt_call_audio_source_release((DtCallAudioSource*)handle) == 0;
}

/// <summary>Owns a dt_call_audio_sink.</summary>
internal sealed unsafe class CallAudioSinkHandle() : SafeHandle(0, ownsHandle: true)
{
    public override bool IsInvalid => handle == 0;

    public DtCallAudioSink* Pointer => (DtCallAudioSink*)handle;

    public void Attach(DtCallAudioSink* sink) => SetHandle((nint)sink);

    protected override bool ReleaseHandle() => WebRtcShim.dt_call_audio_sink_release((DtCallAudioSink*)handle) == 0;
}

/// <summary>Owns a dt_dtmf_receiver and the GCHandle its callback carries (freed after the native release).</summary>
internal sealed unsafe class DtmfReceiverHandle() : SafeHandle(0, ownsHandle: true)
{
    private GCHandle callbackTarget;

    public override bool IsInvalid => handle == 0;

    public void Attach(DtDtmfReceiver* receiver, GCHandle target)
    {
        callbackTarget = target;
        SetHandle((nint)receiver);
    }

    protected override bool ReleaseHandle()
    {
        int result = WebRtcShim.dt_dtmf_receiver_release((DtDtmfReceiver*)handle);
        if (callbackTarget.IsAllocated)
        {
            callbackTarget.Free();  // no callback runs after the release returned
        }

        return result == 0;
    }
}
