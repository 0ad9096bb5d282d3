namespace Dialtone.Load.Bench;

/// <summary>
/// CPU time of this process's threads with a given name (/proc/self/task/*/stat utime + stime, in clock
/// ticks of 10 ms): tells a thread's own work apart from the time it waited for a core.
/// </summary>
internal static class ThreadCpu
{
    private const double MsPerClockTick = 10; // USER_HZ = 100 on Linux

    public static double Milliseconds(string threadName) => ByName().GetValueOrDefault(threadName);

    /// <summary>Voluntary context switches (waits) of the live threads, summed by thread name (/proc/self/task/*/status).</summary>
    public static Dictionary<string, double> WaitsByName()
    {
        var totals = new Dictionary<string, double>();
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
                var line = File.ReadLines(Path.Combine(task, "status")).First(l => l.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal));
                totals[name] = totals.GetValueOrDefault(name) + long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim());
            }
            catch (IOException)
            {
                // the thread ended
            }
        }
        return totals;
    }

    /// <summary>CPU time of the live threads, summed by thread name (threads that already ended are not in it).</summary>
    public static Dictionary<string, double> ByName()
    {
        var totals = new Dictionary<string, double>();
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                // Fields after the ")" that closes the name: state is field 3, utime 14, stime 15.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                totals[name] = totals.GetValueOrDefault(name) + (long.Parse(fields[11]) + long.Parse(fields[12])) * MsPerClockTick;
            }
            catch (IOException)
            {
                // the thread ended
            }
        }
        return totals;
    }

    /// <summary>
    /// Where CPU went between two <see cref="ByName"/> snapshots, per unit (e.g. per call), biggest first;
    /// what the process spent beyond its live threads (threads that ended meanwhile) as "(ended threads)".
    /// </summary>
    public static string Breakdown(Dictionary<string, double> before, Dictionary<string, double> after, double processMs, double units, int top = 8, string format = "F1")
    {
        var deltas = after.Select(kv => (Name: kv.Key, Ms: kv.Value - before.GetValueOrDefault(kv.Key))).Where(d => d.Ms > 0).ToList();
        var ended = processMs - deltas.Sum(d => d.Ms);
        if (ended > 0)
            deltas.Add(("(ended threads)", ended));
        return string.Join(", ", deltas.OrderByDescending(d => d.Ms).Take(top).Select(d => $"{d.Name} {(d.Ms / units).ToString(format, System.Globalization.CultureInfo.InvariantCulture)}"));
    }
}
