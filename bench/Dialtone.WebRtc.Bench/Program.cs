using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Dialtone.WebRtc.Bench;

// Usage: dotnet run -c Release --project bench/Dialtone.WebRtc.Bench [-- --calls 1,8,32] [--seconds 5] [--skip-bdn]
// Prints the managed per-frame overhead (BenchmarkDotNet, in process) and, for each N, the CPU per
// second of N loopback calls through the managed API and through the native dt_native_bench.
var calls = new[] { 1, 8, 32 };
double seconds = 5;
bool runBdn = true;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--calls": calls = args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
        case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--skip-bdn": runBdn = false; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

Console.WriteLine("== Managed overhead per 10 ms frame (48 kHz mono, push 480 + pull 480 samples)");
var (ns, bytes) = FrameCost.Measure(200_000);
Console.WriteLine($"quick loop: {ns:F0} ns per frame, {bytes:F2} bytes allocated per frame");
if (runBdn)
{
    var config = ManualConfig.CreateMinimumViable()
        .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
        .WithOptions(ConfigOptions.DisableLogFile);
    BenchmarkRunner.Run<FrameBenchmarks>(config);
}

Console.WriteLine();
Console.WriteLine($"== CPU per second of call: N concurrent loopback calls (Opus both ways, virtual devices), {seconds} s window");
Console.WriteLine("N    managed ms/s   native ms/s   managed/native");
foreach (int n in calls)
{
    double managed = await CallLoad.MeasureCpuMsPerSecondAsync(n, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(seconds));
    double? native = NativeBench.MeasureCpuMsPerSecond(n, seconds);
    string nativeText = native is null ? "n/a" : native.Value.ToString("F1", CultureInfo.InvariantCulture);
    string ratio = native is null or 0 ? "n/a" : (managed / native.Value).ToString("F2", CultureInfo.InvariantCulture);
    Console.WriteLine($"{n,-4} {managed,12:F1}   {nativeText,11}   {ratio,14}");
}

return 0;
