using System.Diagnostics;
using Dialtone.WebRtc.Tests.Infrastructure;
using Dialtone.WebRtc.Tests.Native;
using Xunit.Abstractions;

namespace Dialtone.WebRtc.Tests.Echo;

/// <summary>
/// AEC3 inside a call: A talks (espeak-ng speech into A's virtual microphone); at B the loudspeaker
/// output is fed back into B's microphone delayed and attenuated (a simulated echo path), plus a
/// little noise. With echo cancellation on in B's factory, A hears its own voice much fainter than
/// with it off — by at least the ERLE floor of <see cref="EchoCancellationTests"/>.
/// </summary>
[Collection(NativeCollection.Name)]
public sealed class EchoThroughCallTests(ITestOutputHelper output)
{
    private const int Rate = 48000;
    private const int Frame = Rate / 100;
    private const int EchoDelayMs = 100;
    private const double EchoGain = 0.5;           // -6 dB acoustic path
    private const double AttenuationFloorDb = 20;  // = EchoCancellationTests' ERLE floor

    [Fact]
    public async Task TheFarEndHearsItsOwnVoiceAttenuatedWhenTheOtherSideCancelsEcho()
    {
        short[] speech = SpeechSynthesizer.Speak(EchoScenario.FarVoice, EchoScenario.FarText, Rate);
        var echoOnly = AudioProcessingOptions.Disabled with { EchoCancellation = true };
        await using var call = await AudioCall.StartAsync(
            new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = AudioProcessingOptions.Disabled },
            new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = echoOnly });

        await using var room = new EchoRoom(call.CallerFactory.VirtualAudio!, call.CalleeFactory.VirtualAudio!, speech);

        // AEC on (from the factory options): let it settle, then measure.
        await Task.Delay(TimeSpan.FromSeconds(3));
        double on = await room.ReturnGainDbAsync(TimeSpan.FromSeconds(6));

        // AEC off, switched mid-call.
        call.CalleeFactory.SetAudioProcessing(AudioProcessingOptions.Disabled);
        await Task.Delay(TimeSpan.FromSeconds(1));
        double off = await room.ReturnGainDbAsync(TimeSpan.FromSeconds(6));

        output.WriteLine($"A's own voice returned: {off:F1} dB with AEC off, {on:F1} dB with AEC on: attenuation {off - on:F1} dB");
        Assert.True(off > -20, $"without AEC the echo must come back loud ({off:F1} dB); the echo path is not working");
        Assert.True(off - on >= AttenuationFloorDb, $"AEC attenuated A's echo by only {off - on:F1} dB (off {off:F1} dB, on {on:F1} dB)");
    }

    /// <summary>
    /// Drives both virtual devices every 10 ms: A's microphone plays the speech in a loop; whatever
    /// B's loudspeaker plays goes back into B's microphone <see cref="EchoDelayMs"/> later at
    /// <see cref="EchoGain"/> (sample for sample, so the echo path is fixed), with noise.
    /// Accumulates the power A sent and the power A received.
    /// </summary>
    private sealed class EchoRoom : IAsyncDisposable
    {
        private readonly VirtualAudioDevice a;
        private readonly VirtualAudioDevice b;
        private readonly short[] speech;
        private readonly CancellationTokenSource stop = new();
        private readonly Task loop;
        private readonly Lock gate = new();
        private readonly Queue<short> echoLine = new();
        private double sentPower;
        private double receivedPower;
        private int speechPosition;
        private uint noise = 0x9E3779B9;

        public EchoRoom(VirtualAudioDevice a, VirtualAudioDevice b, short[] speech)
        {
            this.a = a;
            this.b = b;
            this.speech = speech;
            for (int i = 0; i < EchoDelayMs * Rate / 1000; i++)
            {
                echoLine.Enqueue(0);
            }

            // 40 ms of silence ahead in B's microphone FIFO so that it never runs dry between ticks
            // (a dry FIFO inserts silence and would shift the echo path).
            b.PushCapture(new short[Frame * 4]);
            loop = Task.Run(RunAsync);
        }

        /// <summary>10·log10(power A received / power A sent) over the next <paramref name="duration"/>.</summary>
        public async Task<double> ReturnGainDbAsync(TimeSpan duration)
        {
            lock (gate)
            {
                sentPower = receivedPower = 0;
            }

            await Task.Delay(duration);
            lock (gate)
            {
                return 10 * Math.Log10(Math.Max(receivedPower, 1) / sentPower);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            try
            {
                await loop;
            }
            catch (OperationCanceledException)
            {
            }

            stop.Dispose();
        }

        private async Task RunAsync()
        {
            var frame = new short[Frame];
            var pulled = new short[Frame * 8];
            var mic = new short[Frame * 8];
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
            var clock = Stopwatch.StartNew();
            long pushed = 0;
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                long due = clock.ElapsedMilliseconds / 10 - pushed;
                for (long f = 0; f < Math.Min(due, 10); f++)
                {
                    double p = 0;
                    for (int i = 0; i < Frame; i++)
                    {
                        frame[i] = speech[speechPosition];
                        speechPosition = (speechPosition + 1) % speech.Length;
                        p += (double)frame[i] * frame[i];
                    }

                    a.PushCapture(frame);
                    lock (gate)
                    {
                        sentPower += p;
                    }
                }

                pushed += due;

                int n;
                while ((n = a.PullPlayout(pulled)) > 0)
                {
                    double p = 0;
                    for (int i = 0; i < n; i++)
                    {
                        p += (double)pulled[i] * pulled[i];
                    }

                    lock (gate)
                    {
                        receivedPower += p;
                    }
                }

                // B's loudspeaker -> delay line -> B's microphone, sample for sample.
                while ((n = b.PullPlayout(pulled)) > 0)
                {
                    for (int i = 0; i < n; i++)
                    {
                        echoLine.Enqueue(pulled[i]);
                        double echo = EchoGain * echoLine.Dequeue();
                        mic[i] = (short)Math.Clamp(Math.Round(echo + 10 * Noise()), short.MinValue, short.MaxValue);
                    }

                    b.PushCapture(mic.AsSpan(0, n));
                }
            }
        }

        // Uniform noise in [-1.7, 1.7): unit RMS, deterministic.
        private double Noise()
        {
            noise ^= noise << 13;
            noise ^= noise >> 17;
            noise ^= noise << 5;
            return (noise / 4294967296.0 - 0.5) * 3.464;
        }
    }
}
