using System.Globalization;
using Dialtone.Audio.Bench;
using Dialtone.WebRtc.Tests.Echo;

// Usage: Dialtone.Audio.Bench [--rates 16000,48000] [--delays 50,120,200] [--speex-filter-ms 300]
// Prints one table per rate and echo delay: ERLE over far-end-only speech after convergence
// (6..16 s) and after double talk (29..36 s), convergence time to 10 and 20 dB of ERLE, near-end
// preservation in double talk, and CPU per 10 ms frame — AEC3 and Speex on the same signals.
var rates = ParseList(Option("--rates", "16000,48000"));
var delays = ParseList(Option("--delays", "50,120,200"));
int speexFilterMs = int.Parse(Option("--speex-filter-ms", "300"), CultureInfo.InvariantCulture);

Console.WriteLine($"Echo cancellation on espeak-ng speech ({EchoScenario.FarVoice} far end, {EchoScenario.NearVoice} near end), room gain -10 dB, RT60 250 ms, noise RMS 10");
Console.WriteLine($"Timeline: far only 0-16 s, double talk 16-24 s, near only 24-28 s, far only 28-36 s. Speex filter {speexFilterMs} ms.");
foreach (int rate in rates)
{
    foreach (int delay in delays)
    {
        var scenario = EchoScenario.Build(rate, new RoomEcho(DelayMs: delay));
        Console.WriteLine();
        Console.WriteLine($"{rate} Hz, echo delay {delay} ms");
        Console.WriteLine($"{"canceller",-34} {"ERLE dB",8} {"ERLE2 dB",9} {"conv10 s",9} {"conv20 s",9} {"DT corr",8} {"DT dB",7} {"NE corr",8} {"us/frame",9}");
        Report("none (microphone as is)", scenario, new EchoCancellerRun(scenario.Microphone, TimeSpan.Zero, 1), 0);
        var aec3 = EchoCancellerRun.WithAudioProcessor(scenario, EchoCancellerRun.EchoCancellationOnly);
        Report("AEC3 (no delay hint)", scenario, aec3, EchoMetrics.ProcessingDelaySamples(scenario, aec3.Output));
        var aec3Hint = EchoCancellerRun.WithAudioProcessor(scenario, EchoCancellerRun.EchoCancellationOnly, delay);
        Report($"AEC3 (delay hint {delay} ms)", scenario, aec3Hint, EchoMetrics.ProcessingDelaySamples(scenario, aec3Hint.Output));
        var speex = SpeexEchoCanceller.Run(scenario, speexFilterMs, preprocessor: false);
        Report("Speex MDF", scenario, speex, EchoMetrics.ProcessingDelaySamples(scenario, speex.Output));
        var speexRes = SpeexEchoCanceller.Run(scenario, speexFilterMs, preprocessor: true);
        Report("Speex MDF + preprocessor (RES+NS)", scenario, speexRes, EchoMetrics.ProcessingDelaySamples(scenario, speexRes.Output));
    }
}

return 0;

static void Report(string name, EchoScenario s, EchoCancellerRun run, int lag)
{
    double erle = EchoMetrics.Erle(s, run.Output, s.FarOnly.From(s.SampleRate, 6));
    double erle2 = EchoMetrics.Erle(s, run.Output, s.FarOnlyAgain.From(s.SampleRate, 1));
    string c10 = Seconds(EchoMetrics.ConvergenceTime(s, run.Output, s.FarOnly, 10));
    string c20 = Seconds(EchoMetrics.ConvergenceTime(s, run.Output, s.FarOnly, 20));
    var dt = EchoMetrics.NearEnd(s, run.Output, s.DoubleTalk, lag);
    var ne = EchoMetrics.NearEnd(s, run.Output, s.NearOnly, lag);
    string cpu = run.ProcessorTime == TimeSpan.Zero ? "-" : run.MicrosecondsPerFrame.ToString("F0", CultureInfo.InvariantCulture);
    Console.WriteLine(FormattableString.Invariant(
        $"{name,-34} {erle,8:F1} {erle2,9:F1} {c10,9} {c20,9} {dt.Correlation,8:F2} {dt.PowerRatioDb,7:F1} {ne.Correlation,8:F2} {cpu,9}"));
}

static string Seconds(TimeSpan? t) => t is null ? "never" : t.Value.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);

static int[] ParseList(string text) => text.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();

string Option(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
