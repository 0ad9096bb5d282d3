using System.Runtime.InteropServices;
using Dialtone.Bindings;

namespace Dialtone.WebRtc.Interop;

/// <summary>Owns a dt_audio_processor (no parent, no callbacks).</summary>
internal sealed unsafe class AudioProcessorHandle() : SafeHandle(0, ownsHandle: true)
{
    public override bool IsInvalid => handle == 0;

    public DtAudioProcessor* Pointer => (DtAudioProcessor*)handle;

    public static AudioProcessorHandle Create(DtAudioProcessingOptions* options, int sampleRate, int channels)
    {
        var safe = new AudioProcessorHandle();
        DtAudioProcessor* processor = null;
        ThrowHelper.ThrowIfFailed(WebRtcShim.dt_audio_processor_create(options, (uint)sampleRate, (uint)channels, &processor), "dt_audio_processor_create");
        safe.SetHandle((nint)processor);
        return safe;
    }

    protected override bool ReleaseHandle() => WebRtcShim.dt_audio_processor_release((DtAudioProcessor*)handle) == 0;
}
