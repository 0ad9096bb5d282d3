using System.Diagnostics;

namespace Dialtone.Phone.Bench;

/// <summary>
/// The most concurrent established calls this process holds with audio flowing in every call while
/// its CPU use stays under 80% of the machine. Both ends live in this process, so one call is two
/// peer connections (and both directions of audio) — the figure is conservative for a softphone
/// that holds one end.
/// </summary>
internal static class ConcurrencyBenchmark
{
    private const double CpuLimit = 0.80;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);

    public static async Task RunAsync(BenchParty alice, BenchParty bob, BenchSettings settings)
    {
        var calls = new List<Call>();
        var peak = 0;
        Console.WriteLine();
        Console.WriteLine($"concurrent calls (both ends in this process, {Environment.ProcessorCount} cores, limit {CpuLimit:P0} CPU):");
        Console.WriteLine("  calls   cpu(machine)   calls with audio both ways");
        try
        {
            while (calls.Count < settings.MaxConcurrent)
            {
                var add = Math.Min(settings.Step, settings.MaxConcurrent - calls.Count);
                var added = await Task.WhenAll(Enumerable.Range(0, add).Select(_ => alice.Agent.CallAsync($"sip:bob@{settings.Domain}")));
                calls.AddRange(added);
                try
                {
                    await Task.WhenAll(added.Select(c => c.Established)).WaitAsync(TimeSpan.FromSeconds(30));
                }
                catch (Exception e) when (e is CallFailedException or TimeoutException)
                {
                    Console.WriteLine($"  {calls.Count,5}   calls failed to establish: {e.Message}");
                    break;
                }
                await Task.Delay(TimeSpan.FromSeconds(1)); // past ICE/DTLS setup bursts

                var before = await PacketCountsAsync(calls);
                var cpu = await MeasureCpuAsync(Window);
                var after = await PacketCountsAsync(calls);
                var flowing = calls.Count(c => after[c].Received > before[c].Received + 50 && after[c].Sent > before[c].Sent + 50);
                Console.WriteLine($"  {calls.Count,5}   {cpu,10:P0}     {flowing,5}/{calls.Count}");
                if (cpu > CpuLimit || flowing < calls.Count)
                    break;
                peak = calls.Count;
            }
        }
        finally
        {
            await Task.WhenAll(calls.Select(c => c.HangupAsync()));
        }
        Console.WriteLine($"peak concurrent established calls with audio, CPU under {CpuLimit:P0}: {peak}" +
            (peak == settings.MaxConcurrent ? " (the --max-concurrent cap; the machine could hold more)" : ""));
    }

    private static async Task<double> MeasureCpuAsync(TimeSpan window)
    {
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        process.Refresh();
        return (process.TotalProcessorTime - cpuBefore).TotalSeconds / (clock.Elapsed.TotalSeconds * Environment.ProcessorCount);
    }

    private static async Task<Dictionary<Call, (long Sent, long Received)>> PacketCountsAsync(List<Call> calls)
    {
        var result = new Dictionary<Call, (long, long)>();
        foreach (var call in calls)
        {
            var stats = await call.GetStatsAsync();
            result[call] = (stats.OutboundRtp.Sum(s => s.PacketsSent ?? 0), stats.InboundRtp.Sum(s => s.PacketsReceived ?? 0));
        }
        return result;
    }
}
