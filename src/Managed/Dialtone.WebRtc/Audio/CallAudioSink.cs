using Dialtone.Bindings;
using Dialtone.WebRtc.Interop;

namespace Dialtone.WebRtc;

/// <summary>
/// The decoded audio of one call's remote track alone (mono, at <see cref="SampleRate"/>), read by the
/// application or recorded to a WAV file. libwebrtc delivers it on its playout thread into a bounded
/// buffer; <see cref="Read"/> takes from that buffer, never blocks and does not allocate.
/// </summary>
public sealed unsafe class CallAudioSink : IDisposable
{
    private readonly CallAudioSinkHandle handle;

    internal CallAudioSink(CallAudioSinkHandle handle, int sampleRate, string? wavOutputPath)
    {
        this.handle = handle;
        SampleRate = sampleRate;
        WavOutputPath = wavOutputPath;
    }

    public int SampleRate { get; }

    /// <summary>The file the audio is recorded to; null when the application reads it.</summary>
    public string? WavOutputPath { get; }

    /// <summary>Takes up to <paramref name="destination"/>.Length samples; returns how many (0 when none is buffered).</summary>
    public int Read(Span<short> destination)
    {
        nuint read = 0;
        using var scope = new HandleScope(handle);
        fixed (short* p = destination)
        {
            int result = WebRtcShim.dt_call_audio_sink_read(handle.Pointer, p, (nuint)destination.Length, &read);
            if (result != 0)
            {
                ThrowHelper.ThrowIfFailed(result, "dt_call_audio_sink_read");
            }
        }

        return (int)read;
    }

    public CallAudioSinkStatistics GetStatistics()
    {
        var s = new DtCallAudioSinkStatistics { StructSize = (uint)sizeof(DtCallAudioSinkStatistics) };
        using var scope = new HandleScope(handle);
        ThrowHelper.ThrowIfFailed(WebRtcShim.dt_call_audio_sink_get_statistics(handle.Pointer, &s), "dt_call_audio_sink_get_statistics");
        return new CallAudioSinkStatistics((long)s.ReceivedSamples, (long)s.DroppedSamples, (long)s.BufferedSamples, (long)s.WrittenSamples);
    }

    /// <summary>Detaches from the track; a recording's WAV file is completed before this returns.</summary>
    public void Dispose() => handle.Dispose();
}

/// <param name="ReceivedSamples">Samples received at the sink's rate since it was created.</param>
/// <param name="DroppedSamples">Dropped because they were not read in time.</param>
/// <param name="BufferedSamples">Waiting to be read (or written).</param>
/// <param name="WrittenSamples">Written to the WAV file.</param>
public readonly record struct CallAudioSinkStatistics(long ReceivedSamples, long DroppedSamples, long BufferedSamples, long WrittenSamples);

/// <summary>The shim's call-audio clock: the one real-time thread that sends every call's source audio every 10 ms.</summary>
public static unsafe partial class CallAudioClock
{
    /// <summary>How late the clock's ticks started against their absolute 10 ms schedule, since the process started.</summary>
    public static CallAudioClockStatistics GetStatistics()
    {
        NativeLibraryLoader.EnsureLoaded();
        var s = new DtCallAudioClockStatistics { StructSize = (uint)sizeof(DtCallAudioClockStatistics) };
        ThrowHelper.ThrowIfFailed(WebRtcShim.dt_call_audio_clock_get_statistics(&s), "dt_call_audio_clock_get_statistics");
        return new CallAudioClockStatistics((long)s.Ticks, (int)s.Members, TimeSpan.FromMilliseconds(s.LatenessP50Ms),
            TimeSpan.FromMilliseconds(s.LatenessP99Ms), TimeSpan.FromMilliseconds(s.LatenessMaxMs), (long)s.SkippedTicks);
    }
}

/// <param name="Ticks">10 ms ticks run.</param>
/// <param name="Members">Sources and recording sinks served now.</param>
/// <param name="LatenessP50">Median lateness of a tick (0.1 ms resolution).</param>
/// <param name="LatenessP99">99th percentile lateness.</param>
/// <param name="LatenessMax">Worst lateness.</param>
/// <param name="SkippedTicks">Ticks skipped after the clock fell more than 200 ms behind.</param>
public readonly record struct CallAudioClockStatistics(
    long Ticks, int Members, TimeSpan LatenessP50, TimeSpan LatenessP99, TimeSpan LatenessMax, long SkippedTicks);
