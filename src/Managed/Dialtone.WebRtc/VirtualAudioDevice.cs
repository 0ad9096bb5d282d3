using Dialtone.Bindings;
using Dialtone.WebRtc.Interop;

namespace Dialtone.WebRtc;

/// <summary>
/// The application side of the virtual audio device: interleaved 16-bit PCM at the factory's rate
/// and channel count. The device runs its own real-time 10 ms clock between two FIFOs (500 ms each;
/// the oldest audio is dropped beyond that). Both calls are allocation-free and may be made from any
/// thread; a 10 ms frame is <c>SampleRate / 100 * Channels</c> samples.
/// </summary>
public sealed unsafe class VirtualAudioDevice
{
    private readonly FactoryHandle factory;

    internal VirtualAudioDevice(FactoryHandle factory, int sampleRate, int channels)
    {
        this.factory = factory;
        SampleRate = sampleRate;
        Channels = channels;
    }

    public int SampleRate { get; }

    public int Channels { get; }

    /// <summary>Samples (all channels) in one 10 ms frame.</summary>
    public int SamplesPer10Ms => SampleRate / 100 * Channels;

    /// <summary>Appends microphone audio. <paramref name="samples"/>.Length must be a multiple of <see cref="Channels"/>.</summary>
    public void PushCapture(ReadOnlySpan<short> samples)
    {
        if (samples.Length % Channels != 0)
        {
            throw new ArgumentException($"The sample count {samples.Length} is not a multiple of the channel count {Channels}.", nameof(samples));
        }

        using var scope = new HandleScope(factory);
        fixed (short* p = samples)
        {
            int result = WebRtcShim.dt_factory_push_capture_audio(factory.Pointer, p, (nuint)(samples.Length / Channels), (uint)SampleRate, (uint)Channels);
            if (result != 0)
            {
                ThrowHelper.ThrowIfFailed(result, "dt_factory_push_capture_audio");
            }
        }
    }

    /// <summary>
    /// Takes up to <paramref name="destination"/>.Length samples of mixed speaker audio; returns the
    /// number of samples (all channels) written, 0 when nothing is buffered. Never blocks.
    /// </summary>
    public int PullPlayout(Span<short> destination)
    {
        int frames = destination.Length / Channels;
        if (frames == 0)
        {
            return 0;
        }

        using var scope = new HandleScope(factory);
        nuint read = 0;
        fixed (short* p = destination)
        {
            int result = WebRtcShim.dt_factory_pull_playout_audio(factory.Pointer, p, (nuint)frames, (uint)SampleRate, (uint)Channels, &read);
            if (result != 0)
            {
                ThrowHelper.ThrowIfFailed(result, "dt_factory_pull_playout_audio");
            }
        }

        return (int)read * Channels;
    }
}
