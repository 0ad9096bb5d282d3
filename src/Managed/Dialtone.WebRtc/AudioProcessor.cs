using Dialtone.Bindings;
using Dialtone.WebRtc.Interop;

namespace Dialtone.WebRtc;

/// <summary>
/// libwebrtc's audio processing module on its own — AEC3 echo cancellation, noise suppression, AGC2
/// and the high-pass filter — for applications that own their audio I/O (their own sound card
/// code, a media server, a file). Every 10 ms: <see cref="ProcessRender"/> with what the loudspeaker
/// is about to play (the far end), <see cref="ProcessCapture(Span{short})"/> with what the microphone
/// recorded (near end + echo). Frames are interleaved 16-bit PCM of <see cref="SamplesPer10Ms"/>
/// samples; no call allocates.
/// </summary>
/// <remarks>
/// Render and capture may run on two different threads (one each); <see cref="SetOptions"/>,
/// <see cref="StreamDelayMs"/> and <see cref="GetStatistics"/> may be used from any thread.
/// A frame call racing <see cref="Dispose"/> either completes or throws <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed unsafe class AudioProcessor : IDisposable
{
    private readonly AudioProcessorHandle handle;
    private AudioProcessingOptions options;
    private int streamDelayMs;

    /// <param name="sampleRate">8000, 16000, 32000 or 48000 Hz; render and capture alike.</param>
    /// <param name="channels">1 or 2 (interleaved).</param>
    /// <param name="options">The switches; null: everything on (moderate noise suppression).</param>
    public AudioProcessor(int sampleRate = 48000, int channels = 1, AudioProcessingOptions? options = null)
    {
        if (sampleRate is not (8000 or 16000 or 32000 or 48000))
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "must be 8000, 16000, 32000 or 48000");
        }

        if (channels is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "must be 1 or 2");
        }

        this.options = options ?? new AudioProcessingOptions();
        var native = AudioProcessingConversion.ToNative(this.options);
        NativeLibraryLoader.EnsureLoaded();
        handle = AudioProcessorHandle.Create(&native, sampleRate, channels);
        SampleRate = sampleRate;
        Channels = channels;
    }

    public int SampleRate { get; }

    public int Channels { get; }

    /// <summary>Samples (all channels) in one 10 ms frame: <c>SampleRate / 100 * Channels</c>.</summary>
    public int SamplesPer10Ms => SampleRate / 100 * Channels;

    /// <summary>The switches in force.</summary>
    public AudioProcessingOptions Options => Volatile.Read(ref options);

    /// <summary>
    /// The delay between a far-end frame passing <see cref="ProcessRender"/> and its echo reaching
    /// <see cref="ProcessCapture(Span{short})"/> (playout buffering + acoustic path + capture
    /// buffering), 0..500 ms. A hint: AEC3 estimates the delay itself; a good hint shortens convergence.
    /// </summary>
    public int StreamDelayMs
    {
        get => Volatile.Read(ref streamDelayMs);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 500);
            using (new HandleScope(handle))
            {
                Check(WebRtcShim.dt_audio_processor_set_stream_delay_ms(handle.Pointer, value), "dt_audio_processor_set_stream_delay_ms");
            }

            Volatile.Write(ref streamDelayMs, value);
        }
    }

    /// <summary>One 10 ms frame of far-end audio: the echo reference. Not modified.</summary>
    public void ProcessRender(ReadOnlySpan<short> frame)
    {
        CheckFrame(frame.Length, nameof(frame));
        using var scope = new HandleScope(handle);
        fixed (short* p = frame)
        {
            Check(WebRtcShim.dt_audio_processor_process_render(handle.Pointer, p, (nuint)(frame.Length / Channels)), "dt_audio_processor_process_render");
        }
    }

    /// <summary>One 10 ms frame of microphone audio, processed in place.</summary>
    public void ProcessCapture(Span<short> frame)
    {
        CheckFrame(frame.Length, nameof(frame));
        using var scope = new HandleScope(handle);
        fixed (short* p = frame)
        {
            Check(WebRtcShim.dt_audio_processor_process_capture(handle.Pointer, p, p, (nuint)(frame.Length / Channels)), "dt_audio_processor_process_capture");
        }
    }

    /// <summary>One 10 ms frame of microphone audio, processed from <paramref name="input"/> into <paramref name="output"/>.</summary>
    public void ProcessCapture(ReadOnlySpan<short> input, Span<short> output)
    {
        CheckFrame(input.Length, nameof(input));
        CheckFrame(output.Length, nameof(output));
        using var scope = new HandleScope(handle);
        fixed (short* i = input)
        fixed (short* o = output)
        {
            Check(WebRtcShim.dt_audio_processor_process_capture(handle.Pointer, i, o, (nuint)(input.Length / Channels)), "dt_audio_processor_process_capture");
        }
    }

    /// <summary>Changes the switches; takes effect on the next frame.</summary>
    public void SetOptions(AudioProcessingOptions newOptions)
    {
        ArgumentNullException.ThrowIfNull(newOptions);
        var native = AudioProcessingConversion.ToNative(newOptions);
        using (new HandleScope(handle))
        {
            Check(WebRtcShim.dt_audio_processor_set_options(handle.Pointer, &native), "dt_audio_processor_set_options");
        }

        Volatile.Write(ref options, newOptions);
    }

    /// <summary>The module's current echo statistics (allocation-free).</summary>
    public AudioProcessorStatistics GetStatistics()
    {
        var s = new DtAudioProcessorStatistics { StructSize = (uint)sizeof(DtAudioProcessorStatistics) };
        using (new HandleScope(handle))
        {
            Check(WebRtcShim.dt_audio_processor_get_statistics(handle.Pointer, &s), "dt_audio_processor_get_statistics");
        }

        return new AudioProcessorStatistics
        {
            EchoReturnLoss = s.HasEchoReturnLoss != 0 ? s.EchoReturnLoss : null,
            EchoReturnLossEnhancement = s.HasEchoReturnLossEnhancement != 0 ? s.EchoReturnLossEnhancement : null,
            DivergentFilterFraction = s.HasDivergentFilterFraction != 0 ? s.DivergentFilterFraction : null,
            DelayMedianMs = s.HasDelayMedianMs != 0 ? s.DelayMedianMs : null,
            DelayStandardDeviationMs = s.HasDelayStandardDeviationMs != 0 ? s.DelayStandardDeviationMs : null,
            ResidualEchoLikelihood = s.HasResidualEchoLikelihood != 0 ? s.ResidualEchoLikelihood : null,
            ResidualEchoLikelihoodRecentMax = s.HasResidualEchoLikelihoodRecentMax != 0 ? s.ResidualEchoLikelihoodRecentMax : null,
            DelayMs = s.HasDelayMs != 0 ? s.DelayMs : null,
        };
    }

    public void Dispose() => handle.Dispose();

    private void CheckFrame(int length, string name)
    {
        if (length != SamplesPer10Ms)
        {
            ThrowWrongFrame(length, name);
        }
    }

    private void ThrowWrongFrame(int length, string name) =>
        throw new ArgumentException($"A frame is 10 ms: {SamplesPer10Ms} samples ({SampleRate} Hz, {Channels} channel(s)), not {length}.", name);

    private static void Check(int result, string operation)
    {
        if (result != 0)
        {
            ThrowHelper.ThrowIfFailed(result, operation);
        }
    }
}
