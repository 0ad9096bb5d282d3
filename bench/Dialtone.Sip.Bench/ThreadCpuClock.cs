using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Dialtone.Sip.Bench;

/// <summary>
/// CPU time of the calling thread in nanoseconds (Linux <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>).
/// <see cref="Process.TotalProcessorTime"/> counts in scheduler ticks (10 ms on Linux), too coarse
/// for rounds of a few milliseconds; elsewhere this falls back to it.
/// </summary>
internal static class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    private static readonly bool Available = OperatingSystem.IsLinux() && TryRead(out _);

    public static string Source => Available ? "thread CPU time (clock_gettime)" : "process CPU time (scheduler ticks)";

    public static double NowNanoseconds()
    {
        if (Available && TryRead(out var ns))
            return ns;
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalNanoseconds;
    }

    private static bool TryRead(out double nanoseconds)
    {
        try
        {
            var ok = ClockGetTime(ClockThreadCpuTimeId, out var ts) == 0;
            nanoseconds = ts.Seconds * 1e9 + ts.Nanoseconds;
            return ok;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            nanoseconds = 0;
            return false;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clockId, out TimeSpec time);
}
