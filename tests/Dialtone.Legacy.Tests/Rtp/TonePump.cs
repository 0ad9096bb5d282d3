using Dialtone.WebRtc;

namespace Dialtone.Legacy.Tests.Rtp;

/// <summary>
/// Feeds a sine into a virtual device's microphone and keeps the last second of its speaker, on a
/// dedicated thread paced to an absolute 10 ms schedule (48 kHz mono).
/// </summary>
internal sealed class TonePump : IDisposable
{
    private const int Rate = 48000;
    private const int Frame = Rate / 100;
    private readonly VirtualAudioDevice device;
    private readonly double frequency;
    private readonly short[] recent = new short[Rate];
    private readonly Thread thread;
    private readonly object gate = new();
    private int written;
    private double phase;
    private volatile bool stop;

    public TonePump(VirtualAudioDevice device, double frequency)
    {
        this.device = device;
        this.frequency = frequency;
        thread = new Thread(Run) { IsBackground = true, Name = "tone-pump" };
        thread.Start();
    }

    /// <summary>The last <paramref name="count"/> samples played (fewer at the start).</summary>
    public short[] Recent(int count)
    {
        lock (gate)
        {
            int n = Math.Min(count, Math.Min(written, recent.Length));
            var copy = new short[n];
            for (int i = 0; i < n; i++)
            {
                copy[i] = recent[(written - n + i) % recent.Length];
            }

            return copy;
        }
    }

    /// <summary>Goertzel amplitude of <paramref name="hz"/> in <paramref name="samples"/> (a sine of amplitude A gives ~A).</summary>
    public static double Amplitude(short[] samples, double hz)
    {
        double w = 2 * Math.PI * hz / Rate, coefficient = 2 * Math.Cos(w), s1 = 0, s2 = 0;
        foreach (short x in samples)
        {
            double s0 = x + coefficient * s1 - s2;
            s2 = s1;
            s1 = s0;
        }

        double power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
        return 2 * Math.Sqrt(Math.Max(power, 0)) / samples.Length;
    }

    public void Dispose()
    {
        stop = true;
        thread.Join();
    }

    private void Run()
    {
        var tone = new short[Frame];
        var heard = new short[Frame];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long tick = 0;
        while (!stop)
        {
            for (int i = 0; i < Frame; i++)
            {
                tone[i] = (short)(8000 * Math.Sin(phase));
                phase += 2 * Math.PI * frequency / Rate;
            }

            device.PushCapture(tone);
            int got = device.PullPlayout(heard);
            lock (gate)
            {
                for (int i = 0; i < got; i++)
                {
                    recent[written++ % recent.Length] = heard[i];
                }
            }

            tick++;
            long wait = tick * 10 - clock.ElapsedMilliseconds;
            if (wait > 0)
            {
                Thread.Sleep((int)wait);
            }
        }
    }
}
