using Dialtone.Bindings;
using Dialtone.WebRtc.Interop;

namespace Dialtone.WebRtc;

public static unsafe partial class CallAudioClock
{
    /// <summary>
    /// The clock's scheduling since the previous call (or the process start), and starts a new window:
    /// take one before a load phase and one after it to measure only that phase.
    /// </summary>
    public static CallAudioClockWindow TakeWindow()
    {
        NativeLibraryLoader.EnsureLoaded();
        var w = new DtCallAudioClockWindow { StructSize = (uint)sizeof(DtCallAudioClockWindow) };
        ThrowHelper.ThrowIfFailed(WebRtcShim.dt_call_audio_clock_take_window(&w), "dt_call_audio_clock_take_window");
        return new CallAudioClockWindow(TimeSpan.FromSeconds(w.Seconds), (long)w.Ticks, (long)w.SkippedTicks, (int)w.MembersMax,
            TimeSpan.FromMilliseconds(w.LatenessP50Ms), TimeSpan.FromMilliseconds(w.LatenessP99Ms), TimeSpan.FromMilliseconds(w.LatenessMaxMs),
            TimeSpan.FromMilliseconds(w.WorkP99Ms), TimeSpan.FromMilliseconds(w.WorkMaxMs), w.RealtimePriority);
    }

    /// <summary>
    /// Runs the clock thread at real-time (SCHED_FIFO) <paramref name="priority"/> 1..99, or at normal
    /// scheduling with 0 (the default), from its next tick for the rest of the process. Real-time keeps
    /// the 10 ms ticks on time on a busy machine; a tick's work is small (a frame per call). Returns false
    /// with the reason when the process may not (it needs CAP_SYS_NICE or RLIMIT_RTPRIO ≥ priority);
    /// then nothing changes.
    /// </summary>
    public static bool TrySetRealtimePriority(int priority, out string? refusal)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(priority);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(priority, 99);
        NativeLibraryLoader.EnsureLoaded();
        int result = WebRtcShim.dt_call_audio_clock_set_realtime_priority(priority);
        if (result == (int)DtResultCode.ErrorNotSupported)
        {
            refusal = ThrowHelper.LastErrorMessage();
            return false;
        }
        ThrowHelper.ThrowIfFailed(result, "dt_call_audio_clock_set_realtime_priority");
        refusal = null;
        return true;
    }
}

/// <param name="Duration">The window's length.</param>
/// <param name="Ticks">10 ms ticks run in the window.</param>
/// <param name="SkippedTicks">Ticks skipped after the clock fell more than 200 ms behind.</param>
/// <param name="MembersMax">Most sources and recording sinks one tick served.</param>
/// <param name="LatenessP50">Median lateness of a tick's start against its absolute schedule (0.1 ms resolution).</param>
/// <param name="LatenessP99">99th percentile lateness.</param>
/// <param name="LatenessMax">Worst lateness.</param>
/// <param name="WorkP99">99th percentile of how long a tick took to serve its members.</param>
/// <param name="WorkMax">Longest tick.</param>
/// <param name="RealtimePriority">SCHED_FIFO priority in effect at the end of the window; 0 = normal scheduling.</param>
public readonly record struct CallAudioClockWindow(
    TimeSpan Duration, long Ticks, long SkippedTicks, int MembersMax, TimeSpan LatenessP50, TimeSpan LatenessP99,
    TimeSpan LatenessMax, TimeSpan WorkP99, TimeSpan WorkMax, int RealtimePriority);
