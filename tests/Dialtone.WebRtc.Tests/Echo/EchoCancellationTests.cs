using Xunit.Abstractions;

namespace Dialtone.WebRtc.Tests.Echo;

/// <summary>
/// Proof that AEC3 cancels echo, on real speech (espeak-ng): a far-end talker's echo through a
/// simulated room (delay, attenuation, reverb tail) mixed with a near-end talker and noise, through
/// the managed <see cref="AudioProcessor"/>. The floors are well below what is measured (docs/audio.md).
/// </summary>
[Collection(Infrastructure.NativeCollection.Name)]
public sealed class EchoCancellationTests(ITestOutputHelper output)
{
    private const int SampleRate = 48000;

    // Measured on this machine: see docs/audio.md. Floors with a wide margin.
    private const double ErleFloorDb = 20;

    [Fact]
    public void Aec3RemovesTheEchoOfSpeechAndKeepsTheNearEndTalker()
    {
        var scenario = EchoScenario.Build(SampleRate, new RoomEcho(DelayMs: 120));
        var off = scenario.Microphone;   // no processing: what the far end would hear
        var on = EchoCancellerRun.WithAudioProcessor(scenario, EchoCancellerRun.EchoCancellationOnly).Output;

        double erleOff = EchoMetrics.Erle(scenario, off, scenario.FarOnly.From(SampleRate, 6));
        double erle = EchoMetrics.Erle(scenario, on, scenario.FarOnly.From(SampleRate, 6));
        double erleAfterDoubleTalk = EchoMetrics.Erle(scenario, on, scenario.FarOnlyAgain.From(SampleRate, 1));
        TimeSpan? convergence = EchoMetrics.ConvergenceTime(scenario, on, scenario.FarOnly);
        int lag = EchoMetrics.ProcessingDelaySamples(scenario, on);
        var dtOff = EchoMetrics.NearEnd(scenario, off, scenario.DoubleTalk, 0);
        var dtOn = EchoMetrics.NearEnd(scenario, on, scenario.DoubleTalk, lag);
        var nearOnly = EchoMetrics.NearEnd(scenario, on, scenario.NearOnly, lag);
        output.WriteLine($"ERLE off {erleOff:F1} dB, on {erle:F1} dB, after double talk {erleAfterDoubleTalk:F1} dB, convergence {convergence?.TotalSeconds:F1} s, processing delay {lag} samples");
        output.WriteLine($"double talk off: {dtOff}");
        output.WriteLine($"double talk on:  {dtOn}");
        output.WriteLine($"near end only:   {nearOnly}");

        Assert.InRange(erleOff, -1, 1);   // the measurement sees the echo when nothing removes it
        Assert.True(erle >= ErleFloorDb, $"ERLE after convergence {erle:F1} dB < {ErleFloorDb} dB");
        Assert.True(erleAfterDoubleTalk >= ErleFloorDb, $"ERLE after double talk {erleAfterDoubleTalk:F1} dB < {ErleFloorDb} dB");
        Assert.NotNull(convergence);
        Assert.True(convergence < TimeSpan.FromSeconds(8), $"converged only after {convergence}");

        // Near end alone passes essentially untouched, and during double talk the near-end talker
        // stays while the echo goes.
        Assert.InRange(nearOnly.PowerRatioDb, -3, 1);
        Assert.True(nearOnly.Correlation >= 0.9, $"near-end-only correlation {nearOnly.Correlation:F2}");
        Assert.InRange(lag, 0, SampleRate / 50);
        Assert.True(dtOn.Correlation >= 0.5, $"double-talk correlation {dtOn.Correlation:F2}");
        Assert.True(dtOn.PowerRatioDb >= -10, $"near end attenuated by {-dtOn.PowerRatioDb:F1} dB in double talk");
        Assert.True(dtOn.SignalToDistortionDb > dtOff.SignalToDistortionDb,
            $"double-talk signal-to-distortion {dtOn.SignalToDistortionDb:F1} dB, not better than {dtOff.SignalToDistortionDb:F1} dB without AEC");
    }
}
