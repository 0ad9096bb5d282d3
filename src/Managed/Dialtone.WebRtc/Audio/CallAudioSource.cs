using Dialtone.Bindings;
using Dialtone.WebRtc.Interop;

namespace Dialtone.WebRtc;

/// <summary>
/// The audio one call sends: mono 16-bit PCM pushed by the application, or a WAV file, sent 10 ms at
/// a time by the shim's real-time call-audio clock (one thread for every call of the process). When
/// it has nothing, silence is sent. <see cref="Push"/> never blocks and does not allocate, so it may
/// be called from an audio loop; any chunk size works, the source buffers (see
/// <see cref="CallAudioSourceOptions.Buffer"/>).
/// </summary>
public sealed class CallAudioSource : IDisposable
{
    private readonly CallAudioSourceHandle handle;

    internal CallAudioSource(CallAudioSourceHandle handle, int sampleRate)
    {
        this.handle = handle;
        SampleRate = sampleRate;
    }

    public int SampleRate { get; }

    /// <summary>Samples in one 10 ms frame.</summary>
    public int SamplesPer10Ms => SampleRate / 100;

    /// <summary>Appends mono PCM at <see cref="SampleRate"/>; takes the source back from a WAV file.</summary>
    public unsafe void Push(ReadOnlySpan<short> samples)
    {
        using var scope = new HandleScope(handle);
        fixed (short* p = samples)
        {
            int result = WebRtcShim.dt_call_audio_source_push(handle.Pointer, p, (nuint)samples.Length, (uint)SampleRate);
            if (result != 0)
            {
                ThrowHelper.ThrowIfFailed(result, "dt_call_audio_source_push");
            }
        }
    }

    /// <summary>
    /// Plays a 16-bit PCM WAV file (mono or stereo, 8–48 kHz) from its start instead of pushed audio;
    /// at its end it starts over (<paramref name="loop"/>) or silence is sent and
    /// <see cref="CallAudioSourceStatistics.WavFinished"/> becomes true. A bad file throws and changes nothing.
    /// </summary>
    public unsafe void PlayWav(string path, bool loop = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var scope = new HandleScope(handle);
        ThrowHelper.ThrowIfFailed(WebRtcShim.dt_call_audio_source_play_wav(handle.Pointer, path, loop ? (byte)1 : (byte)0), "dt_call_audio_source_play_wav");
    }

    /// <summary>Plays <paramref name="path"/> once and completes when it has been sent to its end.</summary>
    public async Task PlayWavAsync(string path, CancellationToken cancellationToken = default)
    {
        PlayWav(path, loop: false);
        while (true)
        {
            var s = GetStatistics();
            if (s.WavFinished || !s.PlayingWav)
            {
                return;
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    public unsafe CallAudioSourceStatistics GetStatistics()
    {
        var s = new DtCallAudioSourceStatistics { StructSize = (uint)sizeof(DtCallAudioSourceStatistics) };
        using var scope = new HandleScope(handle);
        ThrowHelper.ThrowIfFailed(WebRtcShim.dt_call_audio_source_get_statistics(handle.Pointer, &s), "dt_call_audio_source_get_statistics");
        return new CallAudioSourceStatistics((long)s.FramesSent, (long)s.SilentFrames, (long)s.DroppedSamples, (long)s.BufferedSamples,
            s.PlayingWav != 0, s.WavFinished != 0);
    }

    /// <summary>Stops feeding the track (nothing more is sent on it) and frees the source.</summary>
    public void Dispose() => handle.Dispose();
}

/// <param name="FramesSent">10 ms frames handed to the call's send stream.</param>
/// <param name="SilentFrames">Frames for which the source had nothing (underruns).</param>
/// <param name="DroppedSamples">Pushed samples dropped because the buffer was full.</param>
/// <param name="BufferedSamples">Pushed samples waiting to be sent.</param>
/// <param name="PlayingWav">A WAV file is being played.</param>
/// <param name="WavFinished">The last WAV file (not looping) has been played to its end.</param>
public readonly record struct CallAudioSourceStatistics(
    long FramesSent, long SilentFrames, long DroppedSamples, long BufferedSamples, bool PlayingWav, bool WavFinished);
