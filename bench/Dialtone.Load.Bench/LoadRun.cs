using System.Diagnostics;
using Dialtone.Phone;
using Dialtone.Sip.IntegrationTests.Infrastructure;
using Dialtone.WebRtc;

namespace Dialtone.Load.Bench;

/// <param name="OpusSampleRate">bob's (the process under test) PeerConnectionFactoryOptions.OpusSampleRate; the generator keeps the default (48000).</param>
/// <param name="MediaThreads">bob's PeerConnectionFactoryOptions.MediaThreads.</param>
/// <param name="EngineThreads">bob's PeerConnectionFactoryOptions.EngineThreads.</param>
internal sealed record LoadSettings(int RateCalls, int Concurrency, int HeldCalls, int Seconds, bool PerCall, int RealtimePriority, int OpusSampleRate = 48000, int MediaThreads = 0, int EngineThreads = 0, int WarmupCalls = 1000, bool LeanGenerator = false);

/// <summary>
/// One run: Kamailio (WSS, digest) + this process as bob (answers every call) + a generator process
/// (alice). CPU-time figures are per process and trustworthy on a shared machine; wall-clock ones
/// are loaded-machine figures.
/// </summary>
internal static class LoadRun
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(3);

    public static async Task<int> RunAsync(LoadSettings s)
    {
        Console.WriteLine($"Dialtone load bench — {Environment.ProcessorCount} cores, load average {LoadAverage()} at start (a shared machine: wall-clock figures are loaded-machine figures)");
        await using var kamailio = await KamailioServer.StartNewAsync();
        var caPem = Path.Combine(Path.GetTempPath(), $"dialtone-load-ca-{Environment.ProcessId}.pem");
        await File.WriteAllTextAsync(caPem, kamailio.CaCertificate.ExportCertificatePem());
        try
        {
            var wss = kamailio.WssUri.ToString();
            if (s.RealtimePriority > 0)
                Console.WriteLine(CallAudioClock.TrySetRealtimePriority(s.RealtimePriority, out var refusal)
                    ? $"audio clock: SCHED_FIFO priority {s.RealtimePriority}"
                    : $"audio clock: real-time priority refused ({refusal}); normal scheduling");
            await using var bob = await Parties.StartAsync(wss, caPem, "bob", s.PerCall, s.OpusSampleRate, s.MediaThreads, s.EngineThreads);
            Console.WriteLine($"bob: Opus at {s.OpusSampleRate} Hz, media threads: {(s.MediaThreads == 0 ? "libwebrtc's (one per task queue)" : s.MediaThreads.ToString())}, "
                + $"engine threads: {(s.EngineThreads == 1 ? "one (network = worker = signalling)" : "three (network, worker, signalling)")}, "
                + $"thread-pool spin limit: {ThreadPoolSpinLimit()} (docs/bots.md; .NET's default 70)");
            Console.WriteLine(s.LeanGenerator
                ? "alice (the generator): Opus at 16000 Hz, media threads: 1, engine threads: one (alice=lean)"
                : "alice (the generator): the default engine");
            var tone = s.PerCall ? CallTones.WriteToneWav(CallTones.BobHz) : null;
            await bob.RegisterAsync();
            var answered = 0;
            _ = Task.Run(async () =>
            {
                await foreach (var call in bob.IncomingCalls.ReadAllAsync())
                {
                    Interlocked.Increment(ref answered);
                    if (tone is not null)
                        CallTones.Attach(call, tone);
                    _ = call.AnswerAsync().ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
                }
            });

            using var generator = new GeneratorProcess(wss, caPem, s.PerCall, s.LeanGenerator);
            await generator.WaitReadyAsync();
            // Warm-up: JIT (and its tier-1 recompilation of the hot paths), TLS sessions, first factory threads.
            await generator.RunAsync($"rate {s.WarmupCalls} {s.Concurrency}", Step);
            Console.WriteLine($"warm-up: {s.WarmupCalls} calls set up and torn down before measuring");
            await generator.RunAsync("messages 50 4", Step);

            var table = new List<string[]>();
            // 1. Idle process: CPU and memory with no call (baseline) — before the rate phase, whose freed memory the
            // allocator would keep and reuse for the held calls (making them look cheaper). The warm-up's calls are
            // still held for 64·T1 = 32 s by their accepted INVITE transactions (RFC 6026 Timers L and M); measured
            // before that, the baseline would include them and shrink while the held calls are measured.
            await Task.Delay(TimeSpan.FromSeconds(34));
            var idleCpu = await CpuPerSecondAsync(TimeSpan.FromSeconds(s.Seconds));
            var (idleRss, idleManaged) = Memory();

            // 2. Held calls: memory per call, CPU per call, audio in every call.
            await generator.RunAsync($"hold {s.HeldCalls}", Step);
            await Task.Delay(TimeSpan.FromSeconds(2)); // past ICE/DTLS set-up
            var (heldRss, heldManaged) = Memory();
            CallAudioClock.TakeWindow(); // the clock's window = the held-calls window, nothing before it
            var clockCpu0 = ThreadCpu.Milliseconds("dt-call-audio");
            var verify = generator.RunAsync($"verify {s.Seconds}", Step);
            var baselineLoop = new TenMillisecondLoop();
            var heldCpu = await CpuPerSecondAsync(TimeSpan.FromSeconds(s.Seconds));
            var clock = CallAudioClock.TakeWindow(); // same window as the baseline thread's
            var clockCpuMs = ThreadCpu.Milliseconds("dt-call-audio") - clockCpu0;
            baselineLoop.Dispose();
            var loop = baselineLoop.Statistics();
            var verified = await verify;
            var heldCalls = bob.Calls.Where(c => c.State == CallState.Established).ToList();
            var bobHears = s.PerCall ? heldCalls.Count(c => CallTones.Hears(c, CallTones.AliceHz)) : heldCalls.Count;
            var flowing = Math.Min(int.Parse(verified[1]), bobHears);
            if (verified[3] != "0")
                Console.WriteLine($"{verified[3]} of the held calls ended during the window: {string.Join(' ', verified[4..])}");
            var callCores = heldCpu - idleCpu;
            var audioCheck = s.PerCall ? "per-call audio, each side's tone heard by the other" : "one virtual device, packets both ways";
            table.Add(Row($"Opus calls per core (AEC off; {s.HeldCalls} held; {audioCheck}: {flowing}/{s.HeldCalls})",
                flowing < s.HeldCalls ? "not valid: audio not in every call" : callCores > 0 ? $"{s.HeldCalls / callCores:F1}" : "n/a", "≥ 25 / core", $"idle process {idleCpu * 1000:F0} CPU-ms/s"));
            table.Add(Row("  CPU-ms per call per second (bob)", $"{callCores * 1000 / s.HeldCalls:F2}", "≤ 40", ""));
            table.Add(Row("memory per idle call (RSS delta / call)", $"{(heldRss - idleRss) / s.HeldCalls / 1048576.0:F2} MB", "≤ 2 MB",
                $"idle process RSS {idleRss / 1048576.0:F0} MB after {s.WarmupCalls} warm-up calls"
                + (s.WarmupCalls > 100 ? " (a long warm-up leaves freed, fragmented native pages that the held calls reuse: take this figure from a warmup=100 run)" : "")));
            table.Add(Row("  managed heap per call", $"{(heldManaged - idleManaged) / s.HeldCalls / 1024.0:F0} KB", "", $"idle heap {idleManaged / 1048576.0:F1} MB"));
            table.Add(Row($"p99 lateness of the 10 ms audio clock, held-calls window ({ClockScheduling(clock)})", clock.Ticks == 0
                ? "not running" : $"{clock.LatenessP99.TotalMilliseconds:F1} ms (p50 {clock.LatenessP50.TotalMilliseconds:F1}, max {clock.LatenessMax.TotalMilliseconds:F1}, {clock.Ticks} ticks, {clock.SkippedTicks} skipped, {clock.MembersMax} members)",
                "< 5 ms", $"plain 10 ms thread, same window: p99 {loop.P99:F1} ms (p50 {loop.P50:F1}, max {loop.Max:F1}, {loop.Ticks} ticks)"));
            table.Add(Row("  a tick's work (serving every member), wall time", $"p99 {clock.WorkP99.TotalMilliseconds:F1} ms, max {clock.WorkMax.TotalMilliseconds:F1} ms", "< 10 ms",
                clock.Ticks > 0 ? $"CPU time of the clock thread: {clockCpuMs / clock.Ticks:F2} ms per tick on average ({clockCpuMs:F0} ms / {clock.Ticks} ticks)" : ""));
            await generator.RunAsync("release", Step);
            Console.WriteLine();
            Print(table); // the held-calls figures now: a rate phase that does not finish on a loaded machine must not lose them
            table.Clear();

            // 3. Signalling floor (baseline): MESSAGE round trips over the same WSS path.
            try
            {
                return await RatePhaseAsync(generator, s, table, flowing == s.HeldCalls, () => answered);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                Console.WriteLine($"rate phase did not finish within {Step.TotalMinutes} min (load average {LoadAverage()}): {e.Message}");
                return 1;
            }
        }
        finally
        {
            File.Delete(caPem);
            foreach (var wav in Directory.GetFiles(Path.GetTempPath(), $"dialtone-load-*-{Environment.ProcessId}.wav"))
                File.Delete(wav);
        }
    }

    private static async Task<int> RatePhaseAsync(GeneratorProcess generator, LoadSettings s, List<string[]> table, bool heldOk, Func<int> answered)
    {
        var (msgWall, msgBob, msgGen, _) = await MeasureAsync(generator, $"messages {s.RateCalls * 2} {s.Concurrency}");
        var messages = s.RateCalls * 2;
        // 4. Calls set up and torn down.
        var threads0 = ThreadCpu.ByName();
        var waits0 = ThreadCpu.WaitsByName();
        var switches0 = ContextSwitches.OfThisProcess();
        var (rateWall, rateBob, rateGen, rateResult) = await MeasureAsync(generator, $"rate {s.RateCalls} {s.Concurrency}");
        var switches1 = ContextSwitches.OfThisProcess();
        var waits1 = ThreadCpu.WaitsByName();
        var threads1 = ThreadCpu.ByName();
        var completed = int.Parse(rateResult[0]);
        var failed = int.Parse(rateResult[1]);
        table.Add(Row("calls/s set up + torn down (wall, loaded machine)", $"{completed / rateWall.TotalSeconds:F1}", "≥ 100 / process",
            $"MESSAGE {messages / msgWall.TotalSeconds:F0}/s"));
        table.Add(Row("calls per CPU-second of bob (process under test)", $"{completed / rateBob.TotalSeconds:F1}", "≥ 100 / process",
            $"MESSAGE {messages / msgBob.TotalSeconds:F0} per CPU-s"));
        table.Add(Row("  CPU ms per call: bob / alice (generator)", $"{rateBob.TotalMilliseconds / completed:F2} / {rateGen.TotalMilliseconds / completed:F2}", "",
            $"MESSAGE {msgBob.TotalMilliseconds / messages:F3} / {msgGen.TotalMilliseconds / messages:F3}"));
        table.Add(Row("  context switches per call in bob: voluntary / involuntary",
            $"{(switches1.Voluntary - switches0.Voluntary) / (double)Math.Max(completed, 1):F0} / {(switches1.Involuntary - switches0.Involuntary) / (double)Math.Max(completed, 1):F0}", "", ""));
        if (failed > 0)
            table.Add(Row("  calls failed", failed.ToString(), "0", ""));
        var perThread = ThreadCpu.Breakdown(threads0, threads1, rateBob.TotalMilliseconds, Math.Max(completed, 1));
        var waitsPerThread = ThreadCpu.Breakdown(waits0, waits1, switches1.Voluntary - switches0.Voluntary, Math.Max(completed, 1), format: "F0");

        Console.WriteLine();
        Print(table);
        Console.WriteLine($"bob's CPU-ms per call by thread: {perThread}");
        Console.WriteLine($"bob's waits (voluntary context switches) per call by thread: {waitsPerThread}");
        Console.WriteLine($"load average {LoadAverage()} at the end; answered {answered()} calls in all");
        return failed == 0 && heldOk ? 0 : 1;
    }

    /// <summary>Runs one generator command; wall time and CPU time of this process (bob) and of the generator.</summary>
    private static async Task<(TimeSpan Wall, TimeSpan Bob, TimeSpan Generator, string[] Result)> MeasureAsync(GeneratorProcess generator, string command)
    {
        var self = Process.GetCurrentProcess();
        var bob0 = self.TotalProcessorTime;
        var gen0 = generator.CpuTime;
        var clock = Stopwatch.StartNew();
        var result = await generator.RunAsync(command, Step);
        var wall = clock.Elapsed;
        self.Refresh();
        return (wall, self.TotalProcessorTime - bob0, generator.CpuTime - gen0, result);
    }

    /// <summary>CPU-seconds per second this process used over <paramref name="window"/>.</summary>
    internal static async Task<double> CpuPerSecondAsync(TimeSpan window)
    {
        var self = Process.GetCurrentProcess();
        var cpu0 = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        self.Refresh();
        return (self.TotalProcessorTime - cpu0).TotalSeconds / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Resident set (VmRSS) and managed heap after a full collection and a trim of the native heap.</summary>
    private static (long Rss, long Managed) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        NativeHeap.Trim(); // what earlier calls freed is not counted as the process's (nor reused as "free" by the held calls)
        var rssKb = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        return (long.Parse(rssKb) * 1024, GC.GetTotalMemory(false));
    }

    private static string ClockScheduling(CallAudioClockWindow w) => w.RealtimePriority > 0 ? $"SCHED_FIFO {w.RealtimePriority}" : "normal scheduling";

    internal static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    internal static string[] Row(string what, string value, string target, string baseline) => [what, value, target, baseline];

    internal static void Print(List<string[]> rows)
    {
        string[] header = ["figure", "measured", "target", "baseline (same run)"];
        var widths = Enumerable.Range(0, 4).Select(i => rows.Append(header).Max(r => r[i].Length)).ToArray();
        void Line(string[] r) => Console.WriteLine(string.Join("  ", r.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        Line(header);
        foreach (var r in rows)
            Line(r);
    }

    /// <summary>
    /// What this process's idle thread-pool workers spin before they block: the environment variable
    /// wins over runtimeconfig.json (the bench's csproj sets 0), as in the runtime.
    /// </summary>
    private static string ThreadPoolSpinLimit() =>
        Environment.GetEnvironmentVariable("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit")
        ?? AppContext.GetData("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit")?.ToString()
        ?? "70";
}
