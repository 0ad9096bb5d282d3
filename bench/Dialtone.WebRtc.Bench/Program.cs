using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Dialtone.WebRtc.Bench;

// Usage: dotnet run -c Release --project bench/Dialtone.WebRtc.Bench [-- --calls 1,8,32] [--seconds 5] [--warmup 1] [--skip-bdn]
// Prints the managed per-frame overhead (BenchmarkDotNet, in process) and, for each N, the CPU per
// second of N loopback calls through the managed API and through the native dt_native_bench.
var calls = new[] { 1, 8, 32 };
double seconds = 5;
double warmup = 1;
bool runBdn = true;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--calls": calls = args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
        case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--warmup": warmup = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--skip-bdn": runBdn = false; break;
        case "--skip-calls": calls = []; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

Console.WriteLine("== Managed overhead per 10 ms frame (48 kHz mono, push 480 + pull 480 samples)");
var (ns, bytes) = FrameCost.Measure(200_000);
Console.WriteLine($"quick loop (managed API): {ns:F0} ns per frame, {bytes:F2} bytes allocated per frame");
if (runBdn)
{
    var config = ManualConfig.CreateMinimumViable()
        .AddJob(Job.Default.WithWarmupCount(5).WithIterationCount(15).WithToolchain(InProcessEmitToolchain.Instance))
        .WithOptions(ConfigOptions.DisableLogFile);
    BenchmarkRunner.Run<FrameBenchmarks>(config);
}

Console.WriteLine();
Console.WriteLine($"== CPU per second of call: N concurrent loopback calls (Opus both ways, virtual devices, APM off), {seconds} s window");
Console.WriteLine("      managed (Dialtone.WebRtc)       native (dt_native_bench)");
Console.WriteLine("N     ms CPU/s  per call  audio     ms CPU/s  per call  audio     managed/native");
foreach (int n in calls)
{
    var managed = await CallLoad.MeasureAsync(n, TimeSpan.FromSeconds(warmup), TimeSpan.FromSeconds(seconds));
    var native = NativeBench.Measure(n, (int)Math.Ceiling(seconds));
    string nativeText = native is null ? "n/a" : FormattableString.Invariant($"{native.CpuMsPerSecond,8:F1}  {native.CpuMsPerCallSecond,8:F2}  {(native.AudioOk ? "ok" : "FAIL"),-5}");
    string ratio = native is null ? "n/a" : (managed.CpuMsPerSecond / native.CpuMsPerSecond).ToString("F2", CultureInfo.InvariantCulture);
    Console.WriteLine(FormattableString.Invariant($"{n,-4} {managed.CpuMsPerSecond,8:F1}  {managed.CpuMsPerCallSecond,8:F2}  {(managed.AudioOk ? "ok" : "FAIL"),-5}    {nativeText}     {ratio}"));
}

return 0;
