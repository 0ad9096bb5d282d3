using Dialtone.WebRtc.Tests.Infrastructure;

namespace Dialtone.WebRtc.Tests.Native;

/// <summary>The standalone <see cref="AudioProcessor"/> against the real libwebrtc audio processing module.</summary>
[Collection(NativeCollection.Name)]
public sealed class AudioProcessorTests
{
    [Theory]
    [InlineData(44100, 1)]
    [InlineData(48000, 3)]
    [InlineData(0, 1)]
    public void UnsupportedFormatsAreRefusedBeforeAnyNativeCall(int rate, int channels) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new AudioProcessor(rate, channels));

    [Theory]
    [InlineData(8000, 1)]
    [InlineData(16000, 2)]
    [InlineData(32000, 1)]
    [InlineData(48000, 2)]
    public void EveryFormatProcessesFramesAndRefusesWrongSizes(int rate, int channels)
    {
        using var processor = new AudioProcessor(rate, channels);
        Assert.Equal(rate / 100 * channels, processor.SamplesPer10Ms);
        var frame = new short[processor.SamplesPer10Ms];
        processor.ProcessRender(frame);
        processor.ProcessCapture(frame);
        var e = Assert.Throws<ArgumentException>(() => processor.ProcessCapture(new short[processor.SamplesPer10Ms + channels]));
        Assert.Contains("10 ms", e.Message);
        Assert.Throws<ArgumentException>(() => processor.ProcessRender(frame.AsSpan(1)));
    }

    [Fact]
    public void WithEverythingOffTheMicrophonePassesThroughUnchanged()
    {
        using var processor = new AudioProcessor(16000, 1, AudioProcessingOptions.Disabled);
        var tone = new ToneGenerator(440, 16000, 0.2);
        var input = new short[160];
        var output = new short[160];
        for (int i = 0; i < 50; i++)
        {
            tone.Fill(input);
            processor.ProcessRender(input);
            processor.ProcessCapture(input, output);
            Assert.Equal(input, output);
        }
    }

    [Fact]
    public void OptionsAndStreamDelayAreValidatedAndKept()
    {
        using var processor = new AudioProcessor(48000, 1, AudioProcessingOptions.Disabled);
        Assert.Throws<ArgumentOutOfRangeException>(() => processor.StreamDelayMs = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => processor.StreamDelayMs = 501);
        processor.StreamDelayMs = 120;
        Assert.Equal(120, processor.StreamDelayMs);
        Assert.Throws<ArgumentOutOfRangeException>(() => processor.SetOptions(new AudioProcessingOptions { NoiseSuppressionLevel = (NoiseSuppressionLevel)9 }));
        var high = new AudioProcessingOptions { NoiseSuppressionLevel = NoiseSuppressionLevel.High };
        processor.SetOptions(high);
        Assert.Same(high, processor.Options);
        // No echo metrics without echo cancellation and far-end audio.
        Assert.Null(processor.GetStatistics().EchoReturnLossEnhancement);
    }

    [Fact]
    public void NoiseSuppressionSwitchedOnLiveRemovesSteadyNoise()
    {
        using var processor = new AudioProcessor(16000, 1, AudioProcessingOptions.Disabled);
        var noise = new Random(5);
        var frame = new short[160];
        double Run(int frames)
        {
            double power = 0;
            for (int f = 0; f < frames; f++)
            {
                for (int i = 0; i < frame.Length; i++)
                {
                    frame[i] = (short)((noise.NextDouble() - 0.5) * 4000);
                }

                processor.ProcessCapture(frame);
                if (f >= frames / 2)
                {
                    power += Goertzel.Rms(frame) * Goertzel.Rms(frame);
                }
            }

            return power;
        }

        double off = Run(200);
        processor.SetOptions(AudioProcessingOptions.Disabled with { NoiseSuppression = true, NoiseSuppressionLevel = NoiseSuppressionLevel.VeryHigh });
        double on = Run(400) / 2;
        Assert.True(10 * Math.Log10(off / on) >= 10, $"noise suppression removed only {10 * Math.Log10(off / on):F1} dB");
    }

    [Fact]
    public void ProcessingFramesAllocatesNothing()
    {
        using var processor = new AudioProcessor(48000, 1, AudioProcessingOptions.Disabled with { EchoCancellation = true });
        var far = new short[480];
        var mic = new short[480];
        var output = new short[480];
        new ToneGenerator(700, 48000, 0.15).Fill(far);
        for (int i = 0; i < 20; i++)
        {
            processor.ProcessRender(far);
            processor.ProcessCapture(mic, output);
            _ = processor.GetStatistics();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            processor.ProcessRender(far);
            processor.ProcessCapture(mic, output);
            processor.ProcessCapture(mic);
            _ = processor.GetStatistics();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void DisposedProcessorThrowsAndIsNotCountedAsLive()
    {
        long before = NativeDiagnostics.LiveObjects().AudioProcessors;
        var processor = new AudioProcessor(16000);
        Assert.Equal(before + 1, NativeDiagnostics.LiveObjects().AudioProcessors);
        processor.Dispose();
        processor.Dispose();
        Assert.Equal(before, NativeDiagnostics.LiveObjects().AudioProcessors);
        Assert.Throws<ObjectDisposedException>(() => processor.ProcessCapture(new short[160]));
        Assert.Throws<ObjectDisposedException>(() => processor.GetStatistics());
    }
}
