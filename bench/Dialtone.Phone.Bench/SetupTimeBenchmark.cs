using System.Diagnostics;

namespace Dialtone.Phone.Bench;

/// <summary>
/// Call setup time, one call at a time: from asking for the call (offer, ICE gathering and INVITE
/// included) to the callee hearing the caller's tone, and to the caller hearing the callee's tone.
/// </summary>
internal static class SetupTimeBenchmark
{
    public static async Task RunAsync(BenchParty alice, BenchParty bob, BenchSettings settings)
    {
        var toCallee = new List<double>();
        var toCaller = new List<double>();
        var established = new List<double>();
        var failures = 0;
        for (var i = 0; i < settings.SetupCalls; i++)
        {
            alice.Probe.Hears.Reset();
            bob.Probe.Hears.Reset();
            var clock = Stopwatch.StartNew();
            var call = await alice.Agent.CallAsync($"sip:bob@{settings.Domain}");
            double? up = null, callee = null, caller = null;
            while (clock.Elapsed < TimeSpan.FromSeconds(15) && (up is null || callee is null || caller is null))
            {
                if (up is null && call.Established.IsCompletedSuccessfully)
                    up = clock.Elapsed.TotalMilliseconds;
                if (callee is null && bob.Probe.Hears.ToneFrames > 0)
                    callee = clock.Elapsed.TotalMilliseconds;
                if (caller is null && alice.Probe.Hears.ToneFrames > 0)
                    caller = clock.Elapsed.TotalMilliseconds;
                if (call.Ended.IsCompleted)
                    break;
                await Task.Delay(2);
            }
            if (up is null || callee is null || caller is null)
            {
                failures++;
                Console.WriteLine($"  call {i + 1} incomplete: established={up is not null} callee heard={callee is not null} caller heard={caller is not null} state={call.State}" +
                    (call.Ended.IsCompleted ? $" ended: {call.Ended.Result}" : ""));
            }
            else
            {
                established.Add(up.Value);
                toCallee.Add(callee.Value);
                toCaller.Add(caller.Value);
            }
            await call.HangupAsync();
            await call.Ended;
            // Let the callee's side finish, and the last call's audio drain out of the playout
            // buffers, so the next call's first audio is really its own.
            while (bob.Agent.Calls.Count > 0)
                await Task.Delay(5);
            await WaitForSilenceAsync(alice, bob);
        }

        Console.WriteLine($"call setup over {settings.SetupCalls} sequential calls via {settings.Server} ({failures} failed):");
        Console.WriteLine("                                         median      p95      max   (ms)");
        Print("  request -> call established (200/ACK)", established);
        Print("  request -> callee hears caller's audio", toCallee);
        Print("  request -> caller hears callee's audio", toCaller);
    }

    private static async Task WaitForSilenceAsync(BenchParty alice, BenchParty bob)
    {
        long last;
        do
        {
            last = alice.Probe.Hears.ToneFrames + bob.Probe.Hears.ToneFrames;
            await Task.Delay(200);
        }
        while (alice.Probe.Hears.ToneFrames + bob.Probe.Hears.ToneFrames != last);
    }

    private static void Print(string what, List<double> samples)
    {
        if (samples.Count == 0)
        {
            Console.WriteLine($"{what}: no samples");
            return;
        }
        samples.Sort();
        Console.WriteLine($"{what}  {Percentile(samples, 0.5),7:F1}  {Percentile(samples, 0.95),7:F1}  {samples[^1],7:F1}");
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
}
