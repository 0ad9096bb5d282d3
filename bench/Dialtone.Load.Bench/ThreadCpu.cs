namespace Dialtone.Load.Bench;

/// <summary>
/// CPU time of this process's threads with a given name (/proc/self/task/*/stat utime + stime, in clock
/// ticks of 10 ms): tells a thread's own work apart from the time it waited for a core.
/// </summary>
internal static class ThreadCpu
{
    private const double MsPerClockTick = 10; // USER_HZ = 100 on Linux

    public static double Milliseconds(string threadName)
    {
        double total = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') != threadName)
                    continue;
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                // Fields after the ")" that closes the name: state is field 3, utime 14, stime 15.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                total += (long.Parse(fields[11]) + long.Parse(fields[12])) * MsPerClockTick;
            }
            catch (IOException)
            {
                // the thread ended
            }
        }
        return total;
    }
}
