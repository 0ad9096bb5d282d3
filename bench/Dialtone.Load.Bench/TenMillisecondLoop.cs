using System.Diagnostics;

namespace Dialtone.Load.Bench;

/// <summary>
/// The baseline for the audio clock's lateness: a plain thread of this process on an absolute 10 ms
/// schedule, doing nothing else, measured over the same window. Whatever lateness it shows is the
/// machine's scheduling (load, nice), not Dialtone's audio path. Sleeps have 1 ms granularity.
/// </summary>
internal sealed class TenMillisecondLoop : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(10);
    private readonly List<double> _latenessMs = new(4096);
    private readonly Thread _thread;
    private volatile bool _stop;

    public TenMillisecondLoop()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "bench-10ms-baseline" };
        _thread.Start();
    }

    private void Run()
    {
        var clock = Stopwatch.StartNew();
        var next = Period;
        while (!_stop)
        {
            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero)
                Thread.Sleep((int)Math.Ceiling(wait.TotalMilliseconds));
            var late = clock.Elapsed - next;
            lock (_latenessMs)
                _latenessMs.Add(late.TotalMilliseconds);
            next += Period;
            if (late > TimeSpan.FromMilliseconds(200))
                next = clock.Elapsed + Period; // skip, as the audio clock does, rather than burst
        }
    }

    /// <summary>p50, p99 and max lateness in ms, and the number of ticks.</summary>
    public (double P50, double P99, double Max, int Ticks) Statistics()
    {
        double[] sorted;
        lock (_latenessMs)
            sorted = [.. _latenessMs];
        Array.Sort(sorted);
        if (sorted.Length == 0)
            return (0, 0, 0, 0);
        return (sorted[sorted.Length / 2], sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(sorted.Length * 0.99) - 1)], sorted[^1], sorted.Length);
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }
}
