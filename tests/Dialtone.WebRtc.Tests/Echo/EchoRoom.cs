using System.Diagnostics;

namespace Dialtone.WebRtc.Tests.Echo;

/// <summary>
/// Drives virtual devices every 10 ms: A's microphone plays the speech in a loop; when B is given,
/// whatever B's loudspeaker plays goes back into B's microphone about <c>echoDelayMs</c> later
/// (plus up to 40 ms of FIFO) at <c>echoGain</c>, with noise. Accumulates the
/// power A sent and the power A received. (Without B, the echo path is elsewhere, e.g. a sound server.)
/// </summary>
public sealed class EchoRoom : IAsyncDisposable
{
    private const int Rate = 48000;
    private const int Frame = Rate / 100;

    private readonly VirtualAudioDevice a;
    private readonly VirtualAudioDevice? b;
    private readonly short[] speech;
    private readonly double echoGain;
    private readonly int echoDelaySamples;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private readonly Lock gate = new();
    private readonly Queue<short> echoLine = new();
    private double sentPower;
    private double receivedPower;
    private int speechPosition;
    private uint noise = 0x9E3779B9;

    /// <param name="a">The talker: 48 kHz mono virtual device.</param>
    /// <param name="b">The echoing side (48 kHz mono virtual device), or null.</param>
    public EchoRoom(VirtualAudioDevice a, VirtualAudioDevice? b, short[] speech, int echoDelayMs = 100, double echoGain = 0.5)
    {
        this.a = a;
        this.b = b;
        this.speech = speech;
        this.echoGain = echoGain;
        echoDelaySamples = echoDelayMs * Rate / 1000;
        for (int i = 0; i < echoDelaySamples; i++)
        {
            echoLine.Enqueue(0);
        }

        // 40 ms of silence ahead in B's microphone FIFO so that it never runs dry between ticks
        // (a dry FIFO inserts silence and would shift the echo path).
        b?.PushCapture(new short[Frame * 4]);
        loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// The echo's return gain with B's echo canceller off, then with it on, measured in windows until
    /// the attenuation reaches <paramref name="floorDb"/> or <paramref name="bound"/> has passed. AEC3
    /// converges within seconds on speech, but later on a loaded machine: waiting for the condition,
    /// bounded, instead of sampling once after a fixed settling time.
    /// </summary>
    /// <param name="setEchoCancellation">Switches B's echo canceller (mid-call, on B's engine).</param>
    public async Task<EchoAttenuation> MeasureAttenuationAsync(Action<bool> setEchoCancellation, double floorDb, TimeSpan window, TimeSpan bound)
    {
        setEchoCancellation(false);
        await Task.Delay(TimeSpan.FromSeconds(1));
        double off = await ReturnGainDbAsync(window);
        setEchoCancellation(true);
        var on = new List<double>();
        var clock = Stopwatch.StartNew();
        do
        {
            on.Add(await ReturnGainDbAsync(window));
        }
        while (off - on[^1] < floorDb && clock.Elapsed < bound);
        return new EchoAttenuation(off, on);
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

            // B's loudspeaker -> delay line -> B's microphone. The echo path's delay must stay
            // bounded on a loaded machine: a late tick must not add its lateness to the path for
            // good (it could grow past the delays AEC3 searches). So the delay line is trimmed back to
            // its nominal length, and B's microphone gets at most two frames per tick (after a
            // stall its FIFO runs dry, i.e. silence, instead of holding a backlog).
            if (b is not null)
            {
                while ((n = b.PullPlayout(pulled)) > 0)
                {
                    for (int i = 0; i < n; i++)
                    {
                        echoLine.Enqueue(pulled[i]);
                    }
                }

                while (echoLine.Count > echoDelaySamples + Frame * 3)
                {
                    echoLine.Dequeue();
                }

                for (long f = 0; f < Math.Min(due, 2) && echoLine.Count >= Frame; f++)
                {
                    for (int i = 0; i < Frame; i++)
                    {
                        double echo = echoGain * echoLine.Dequeue();
                        mic[i] = (short)Math.Clamp(Math.Round(echo + 10 * Noise()), short.MinValue, short.MaxValue);
                    }

                    b.PushCapture(mic.AsSpan(0, Frame));
                }
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

/// <summary>The return gain with the echo canceller off, and with it on in each window measured (the last one counts).</summary>
public sealed record EchoAttenuation(double OffDb, IReadOnlyList<double> OnWindowsDb)
{
    public double OnDb => OnWindowsDb[^1];

    public double AttenuationDb => OffDb - OnDb;

    public override string ToString() =>
        $"{OffDb:F1} dB with AEC off, {OnDb:F1} dB with AEC on: attenuation {AttenuationDb:F1} dB (AEC on, per window: {string.Join(", ", OnWindowsDb.Select(d => d.ToString("F1")))} dB)";
}
