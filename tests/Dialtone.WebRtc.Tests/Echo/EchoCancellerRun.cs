using System.Diagnostics;

namespace Dialtone.WebRtc.Tests.Echo;

/// <summary>The output of one echo canceller over a whole <see cref="EchoScenario"/>, and its CPU cost.</summary>
public sealed record EchoCancellerRun(short[] Output, TimeSpan ProcessorTime, int Frames)
{
    public double MicrosecondsPerFrame => ProcessorTime.TotalMicroseconds / Frames;

    /// <summary>
    /// Feeds the scenario to an <see cref="AudioProcessor"/> the way an application with its own
    /// audio I/O would: per 10 ms, the loudspeaker frame to ProcessRender, then the microphone frame
    /// to ProcessCapture.
    /// </summary>
    public static EchoCancellerRun WithAudioProcessor(EchoScenario s, AudioProcessingOptions options, int streamDelayMs = 0)
    {
        using var processor = new AudioProcessor(s.SampleRate, 1, options) { StreamDelayMs = streamDelayMs };
        var output = new short[s.Microphone.Length];
        int frame = s.SamplesPer10Ms, frames = s.Microphone.Length / frame;
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (int f = 0; f < frames; f++)
        {
            int at = f * frame;
            processor.ProcessRender(s.FarEnd.AsSpan(at, frame));
            processor.ProcessCapture(s.Microphone.AsSpan(at, frame), output.AsSpan(at, frame));
        }

        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return new EchoCancellerRun(output, cpu, frames);
    }

    /// <summary>Echo cancellation only: noise suppression, AGC and the high-pass filter off, so the figures are AEC3's alone.</summary>
    public static AudioProcessingOptions EchoCancellationOnly { get; } = AudioProcessingOptions.Disabled with { EchoCancellation = true };
}
