using System.Diagnostics;

namespace Dialtone.WebRtc.Tests.Infrastructure;

/// <summary>
/// Plays the application's side of virtual audio devices in real time: every 10 ms (PeriodicTimer)
/// it pushes the frames due into each microphone (a tone, or silence) and pulls whatever the
/// speaker has, keeping the last seconds of it for analysis.
/// </summary>
public sealed class AudioPump : IAsyncDisposable
{
    private readonly Leg[] legs;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public AudioPump(params (VirtualAudioDevice Device, ToneGenerator? Tone)[] devices)
    {
        legs = devices.Select(d => new Leg(d.Device, d.Tone)).ToArray();
        loop = Task.Run(RunAsync);
    }

    /// <summary>Copy of the last <paramref name="seconds"/> of speaker audio of device <paramref name="index"/>.</summary>
    public short[] LastSeconds(int index, double seconds) => legs[index].Last(seconds);

    /// <summary>Total speaker samples pulled from device <paramref name="index"/>.</summary>
    public long PulledSamples(int index) => Interlocked.Read(ref legs[index].TotalPulled);

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
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        var clock = Stopwatch.StartNew();
        long framesPushed = 0;
        while (await timer.WaitForNextTickAsync(stop.Token))
        {
            long due = clock.ElapsedMilliseconds / 10 - framesPushed;
            for (long f = 0; f < Math.Min(due, 10); f++)
            {
                foreach (var leg in legs)
                {
                    leg.PushFrame();
                }
            }

            framesPushed += due;
            foreach (var leg in legs)
            {
                leg.PullAll();
            }
        }
    }

    private sealed class Leg
    {
        private readonly VirtualAudioDevice device;
        private readonly ToneGenerator? tone;
        private readonly short[] frame;
        private readonly short[] pulled;
        private readonly short[] history;
        private readonly Lock gate = new();
        private long written;
        public long TotalPulled;

        public Leg(VirtualAudioDevice device, ToneGenerator? tone)
        {
            this.device = device;
            this.tone = tone;
            frame = new short[device.SamplesPer10Ms];
            pulled = new short[device.SamplesPer10Ms * 4];
            history = new short[device.SampleRate * device.Channels * 10];
        }

        public void PushFrame()
        {
            if (tone is null)
            {
                Array.Clear(frame);
            }
            else
            {
                tone.Fill(frame);
            }

            device.PushCapture(frame);
        }

        public void PullAll()
        {
            int n;
            while ((n = device.PullPlayout(pulled)) > 0)
            {
                lock (gate)
                {
                    for (int i = 0; i < n; i++)
                    {
                        history[(written + i) % history.Length] = pulled[i];
                    }

                    written += n;
                }

                Interlocked.Add(ref TotalPulled, n);
            }
        }

        public short[] Last(double seconds)
        {
            lock (gate)
            {
                int count = (int)Math.Min(Math.Min(written, history.Length), (long)(seconds * device.SampleRate * device.Channels));
                var result = new short[count];
                for (int i = 0; i < count; i++)
                {
                    result[i] = history[(written - count + i) % history.Length];
                }

                return result;
            }
        }
    }
}
