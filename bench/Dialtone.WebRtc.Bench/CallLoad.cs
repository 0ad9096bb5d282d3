using System.Diagnostics;

namespace Dialtone.WebRtc.Bench;

/// <summary>
/// N concurrent loopback calls through the managed API: two factories with virtual devices (the
/// calling side and the called side), N peer-connection pairs between them with an Opus audio track
/// each way, one pump thread per side pushing a tone into its microphone and pulling its speaker every 10 ms. Measures
/// the process CPU time per wall-clock second once the calls are up.
/// </summary>
public static class CallLoad
{
    public static async Task<CallCpu> MeasureAsync(int calls, TimeSpan warmup, TimeSpan window)
    {
        var options = new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = AudioProcessingOptions.Disabled };
        using var callerFactory = new PeerConnectionFactory(options);
        using var calleeFactory = new PeerConnectionFactory(options);
        var pairs = new List<(PeerConnection A, PeerConnection B)>();
        try
        {
            for (int i = 0; i < calls; i++)
            {
                var a = callerFactory.CreatePeerConnection();
                var b = calleeFactory.CreatePeerConnection();
                pairs.Add((a, b));
                a.AddAudioTrack();
                await ConnectAsync(a, b);
            }

            var pumpA = new SidePump(callerFactory.VirtualAudio!, 1000);
            var pumpB = new SidePump(calleeFactory.VirtualAudio!, 1600);
            await Task.Delay(warmup);
            var process = Process.GetCurrentProcess();
            process.Refresh();
            TimeSpan cpuStart = process.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            await Task.Delay(window);
            process.Refresh();
            double cpuMs = (process.TotalProcessorTime - cpuStart).TotalMilliseconds;
            double seconds = wall.Elapsed.TotalSeconds;
            short[] heardA = pumpA.Stop();
            short[] heardB = pumpB.Stop();

            // Same check as the native program: each side hears the other's tone.
            bool audioOk = ToneAmplitude(heardB, 1000, callerFactory.VirtualAudio!.SampleRate) > 500
                && ToneAmplitude(heardA, 1600, calleeFactory.VirtualAudio!.SampleRate) > 500;
            return new CallCpu(calls, cpuMs / seconds, audioOk);
        }
        finally
        {
            foreach (var (a, b) in pairs)
            {
                await a.DisposeAsync();
                await b.DisposeAsync();
            }
        }
    }

    private static async Task ConnectAsync(PeerConnection a, PeerConnection b)
    {
        var offer = await a.CreateOfferAsync();
        await a.SetLocalDescriptionAsync(offer);
        await a.WaitForIceGatheringCompleteAsync(TimeSpan.FromSeconds(5));
        await b.SetRemoteDescriptionAsync(a.LocalDescription!);
        b.AddAudioTrack();
        var answer = await b.CreateAnswerAsync();
        await b.SetLocalDescriptionAsync(answer);
        await b.WaitForIceGatheringCompleteAsync(TimeSpan.FromSeconds(5));
        await a.SetRemoteDescriptionAsync(b.LocalDescription!);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (a.ConnectionState != PeerConnectionState.Connected || b.ConnectionState != PeerConnectionState.Connected)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("a benchmark call did not connect within 20 s");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>
    /// The application's audio loop for one side, as the native benchmark runs it: a dedicated
    /// thread that every 10 ms (absolute schedule) pushes one tone frame and pulls one speaker frame,
    /// keeping the last 200 ms heard. (A PeriodicTimer loop on the thread pool costs ~25 ms CPU/s more
    /// on this machine: thread-pool wake-ups, not Dialtone; see docs/benchmarks.md.)
    /// </summary>
    private sealed class SidePump
    {
        private readonly VirtualAudioDevice device;
        private readonly double frequency;
        private readonly Thread thread;
        private readonly short[] heard;
        private volatile bool stop;
        private int written;

        public SidePump(VirtualAudioDevice device, double frequency)
        {
            this.device = device;
            this.frequency = frequency;
            heard = new short[device.SamplesPer10Ms * 20];
            thread = new Thread(Run) { IsBackground = true, Name = $"pump {frequency} Hz" };
            thread.Start();
        }

        public short[] Stop()
        {
            stop = true;
            thread.Join();
            return heard;
        }

        private void Run()
        {
            var frame = new short[device.SamplesPer10Ms];
            var speaker = new short[device.SamplesPer10Ms];
            long n = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            long next = 0;
            while (!stop)
            {
                for (int i = 0; i < frame.Length; i++, n++)
                {
                    frame[i] = (short)(Math.Sin(n * 2 * Math.PI * frequency / device.SampleRate) * 8000);
                }

                device.PushCapture(frame);
                int got = device.PullPlayout(speaker);
                for (int i = 0; i < got; i++)
                {
                    heard[(written + i) % heard.Length] = speaker[i];
                }

                written = (written + got) % heard.Length;
                next += 10;
                long wait = next - clock.ElapsedMilliseconds;
                if (wait > 0)
                {
                    Thread.Sleep((int)wait);
                }
            }
        }
    }

    // Amplitude of one frequency component (Goertzel), as the native benchmark measures it.
    private static double ToneAmplitude(short[] samples, double frequency, int sampleRate)
    {
        double coefficient = 2 * Math.Cos(2 * Math.PI * frequency / sampleRate);
        double s1 = 0, s2 = 0;
        foreach (short x in samples)
        {
            double s0 = x + coefficient * s1 - s2;
            s2 = s1;
            s1 = s0;
        }

        double power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
        return 2 * Math.Sqrt(Math.Max(power, 0)) / samples.Length;
    }
}
