namespace Dialtone.WebRtc.Tests.Echo;

/// <summary>A stretch of the scenario, in samples.</summary>
public readonly record struct Segment(int Start, int End)
{
    public int Length => End - Start;

    public Segment From(int sampleRate, double skipSeconds) => this with { Start = Math.Min(End, Start + (int)(skipSeconds * sampleRate)) };
}

/// <summary>
/// The acoustic path from loudspeaker to microphone: a direct echo after <see cref="DelayMs"/> at
/// <see cref="GainDb"/>, plus an exponentially decaying reverb tail (four parallel feedback comb
/// filters, Schroeder style) that decays by 60 dB in <see cref="Rt60Ms"/> and carries
/// <see cref="DirectToReverbDb"/> less energy than the direct echo.
/// </summary>
public sealed record RoomEcho(int DelayMs = 120, double GainDb = -10, double Rt60Ms = 250, double DirectToReverbDb = 3)
{
    private static readonly double[] CombDelaysMs = [29.7, 37.1, 41.1, 43.7];

    public double[] Apply(short[] loudspeaker, int sampleRate)
    {
        int delay = DelayMs * sampleRate / 1000;
        double direct = Math.Pow(10, GainDb / 20);
        var combs = CombDelaysMs.Select(ms => (Delay: (int)(ms * sampleRate / 1000), Gain: Math.Pow(10, -3 * ms / Rt60Ms))).ToArray();
        // Energy of a comb's impulse response: 1 / (1 - g^2); scale the tail to the direct-to-reverb ratio.
        double combEnergy = combs.Sum(c => 1 / (1 - c.Gain * c.Gain));
        double tailScale = direct * Math.Sqrt(Math.Pow(10, -DirectToReverbDb / 10) / combEnergy);

        var output = new double[loudspeaker.Length];
        var states = combs.Select(_ => new double[loudspeaker.Length]).ToArray();
        for (int n = 0; n < loudspeaker.Length; n++)
        {
            double x = n >= delay ? loudspeaker[n - delay] : 0;
            double tail = 0;
            for (int c = 0; c < combs.Length; c++)
            {
                int m = combs[c].Delay;
                double y = n >= m ? (n - m >= delay ? loudspeaker[n - m - delay] : 0) + combs[c].Gain * states[c][n - m] : 0;
                states[c][n] = y;
                tail += y;
            }

            output[n] = direct * x + tailScale * tail;
        }

        return output;
    }
}

/// <summary>
/// An echo scenario built from real speech: the far end (one espeak-ng voice) plays from the
/// loudspeaker, its echo through a <see cref="RoomEcho"/> reaches the microphone together with the
/// near end (another voice, other sentences) and a little white noise. Timeline:
/// far end only (0–16 s), double talk (16–24 s), near end only (24–28 s), far end only (28–36 s).
/// Everything is deterministic for a given rate, room and espeak-ng version.
/// </summary>
public sealed class EchoScenario
{
    // Harvard sentences (IEEE 1969 recommended practice for speech quality measurements), lists 1 and 2.
    public const string FarText =
        "The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background. " +
        "It's easy to tell the depth of a well. These days a chicken leg is a rare dish. " +
        "Rice is often served in round bowls. The juice of lemons makes fine punch. " +
        "The box was thrown beside the parked truck. The hogs were fed chopped corn and garbage. " +
        "Four hours of steady work faced us. A large size in stockings is hard to sell.";

    public const string NearText =
        "The boy was there when the sun rose. A rod is used to catch pink salmon. " +
        "The source of the huge river is the clear spring. Kick the ball straight and follow through. " +
        "Help the woman get back to her feet. A pot of tea helps to pass the evening.";

    public const string FarVoice = "en-us";
    public const string NearVoice = "en-gb+f3";

    private EchoScenario(int sampleRate) => SampleRate = sampleRate;

    public int SampleRate { get; }

    public int SamplesPer10Ms => SampleRate / 100;

    /// <summary>What the loudspeaker plays: the echo canceller's render (reference) stream.</summary>
    public short[] FarEnd { get; private init; } = [];

    /// <summary>The echo alone, as it reaches the microphone.</summary>
    public double[] Echo { get; private init; } = [];

    /// <summary>The near-end talker alone, as it reaches the microphone.</summary>
    public short[] NearEnd { get; private init; } = [];

    /// <summary>Echo + near end + noise: the echo canceller's capture stream.</summary>
    public short[] Microphone { get; private init; } = [];

    public Segment FarOnly { get; private init; }

    public Segment DoubleTalk { get; private init; }

    public Segment NearOnly { get; private init; }

    public Segment FarOnlyAgain { get; private init; }

    public static EchoScenario Build(int sampleRate, RoomEcho room, double noiseRms = 10)
    {
        int s(double seconds) => (int)(seconds * sampleRate);
        var farOnly = new Segment(0, s(16));
        var doubleTalk = new Segment(s(16), s(24));
        var nearOnly = new Segment(s(24), s(28));
        var farAgain = new Segment(s(28), s(36));
        int total = farAgain.End;

        short[] farSpeech = Normalize(SpeechSynthesizer.Speak(FarVoice, FarText, sampleRate), 4000);
        short[] nearSpeech = Normalize(SpeechSynthesizer.Speak(NearVoice, NearText, sampleRate), 1500);

        var far = new short[total];
        int cursor = 0;
        foreach (var segment in new[] { farOnly, doubleTalk, farAgain })
        {
            for (int i = segment.Start; i < segment.End; i++)
            {
                far[i] = farSpeech[cursor++ % farSpeech.Length];
            }
        }

        var near = new short[total];
        for (int i = doubleTalk.Start, k = 0; i < nearOnly.End; i++, k++)
        {
            near[i] = k < nearSpeech.Length ? nearSpeech[k] : (short)0;
        }

        double[] echo = room.Apply(far, sampleRate);
        var mic = new short[total];
        uint state = 0x2545F491;
        for (int i = 0; i < total; i++)
        {
            mic[i] = (short)Math.Clamp(Math.Round(echo[i] + near[i] + noiseRms * Gaussian(ref state)), short.MinValue, short.MaxValue);
        }

        return new EchoScenario(sampleRate)
        {
            FarEnd = far,
            Echo = echo,
            NearEnd = near,
            Microphone = mic,
            FarOnly = farOnly,
            DoubleTalk = doubleTalk,
            NearOnly = nearOnly,
            FarOnlyAgain = farAgain,
        };
    }

    /// <summary>Scales speech so that its active part (frames above 1 % of the loudest frame's power) has the given RMS.</summary>
    private static short[] Normalize(short[] speech, double activeRms)
    {
        int frame = 160;
        var powers = new List<double>();
        for (int i = 0; i + frame <= speech.Length; i += frame)
        {
            double p = 0;
            for (int k = 0; k < frame; k++)
            {
                p += (double)speech[i + k] * speech[i + k];
            }

            powers.Add(p / frame);
        }

        double max = powers.Max();
        double active = powers.Where(p => p > max * 0.01).Average();
        double gain = activeRms / Math.Sqrt(active);
        return speech.Select(x => (short)Math.Clamp(Math.Round(x * gain), short.MinValue, short.MaxValue)).ToArray();
    }

    // Deterministic standard normal noise (xorshift32 + Box–Muller).
    private static double Gaussian(ref uint state)
    {
        double u1 = (Next(ref state) + 1.0) / 4294967297.0, u2 = Next(ref state) / 4294967296.0;
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static uint Next(ref uint state)
    {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return state;
    }
}
