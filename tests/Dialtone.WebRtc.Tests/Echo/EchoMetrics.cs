namespace Dialtone.WebRtc.Tests.Echo;

/// <summary>How near-end speech came through during double talk (or near-end only).</summary>
/// <param name="Correlation">Normalised correlation of output and clean near end (1 = identical shape).</param>
/// <param name="PowerRatioDb">10·log10(output power / clean near-end power) over near-end-active frames.</param>
/// <param name="SignalToDistortionDb">10·log10(near-end power / power of (output − near end)): how much else (echo, distortion) the output holds.</param>
public readonly record struct NearEndPreservation(double Correlation, double PowerRatioDb, double SignalToDistortionDb);

/// <summary>The echo measurements of issue 6, over 10 ms frames of a <see cref="EchoScenario"/>.</summary>
public static class EchoMetrics
{
    /// <summary>
    /// ERLE in dB: 10·log10(microphone power / output power) over the frames of
    /// <paramref name="segment"/> where the far end's echo is active (echo frame power at least 1 %
    /// of the segment's mean). Only meaningful where the near end is silent.
    /// </summary>
    public static double Erle(EchoScenario s, short[] output, Segment segment)
    {
        double mic = 0, outPower = 0;
        foreach (int frame in ActiveEchoFrames(s, segment))
        {
            mic += Power(s.Microphone, frame, s.SamplesPer10Ms);
            outPower += Power(output, frame, s.SamplesPer10Ms);
        }

        return 10 * Math.Log10(mic / Math.Max(outPower, 1e-3));
    }

    /// <summary>
    /// Convergence time: the start of the earliest 500 ms window of <paramref name="segment"/> from
    /// which every later window (with at least 30 % far-end activity) reaches
    /// <paramref name="thresholdDb"/> of ERLE; null when that never happens.
    /// </summary>
    public static TimeSpan? ConvergenceTime(EchoScenario s, short[] output, Segment segment, double thresholdDb = 10)
    {
        int window = s.SampleRate / 2;
        var results = new List<(int Start, bool Good)>();
        for (int start = segment.Start; start + window <= segment.End; start += window)
        {
            var w = new Segment(start, start + window);
            int active = ActiveEchoFrames(s, w, s.MeanEchoPower(segment)).Count();
            if (active < window / s.SamplesPer10Ms * 3 / 10)
            {
                continue;
            }

            results.Add((start, Erle(s, output, w) >= thresholdDb));
        }

        int firstOfLastRun = results.Count;
        while (firstOfLastRun > 0 && results[firstOfLastRun - 1].Good)
        {
            firstOfLastRun--;
        }

        return firstOfLastRun == results.Count ? null : TimeSpan.FromSeconds((double)(results[firstOfLastRun].Start - segment.Start) / s.SampleRate);
    }

    /// <summary>
    /// The canceller's own processing delay (AEC3 at 48 kHz delays its output by a few ms): the lag
    /// of 0..20 ms that best aligns the output with the clean near end during near-end-only talk.
    /// </summary>
    public static int ProcessingDelaySamples(EchoScenario s, short[] output)
    {
        var frames = NearActiveFrames(s, s.NearOnly);
        int bestLag = 0;
        double best = double.MinValue;
        for (int lag = 0; lag <= s.SampleRate / 50; lag++)
        {
            double c = Correlation(s.NearEnd, output, frames, s.SamplesPer10Ms, lag);
            if (c > best)
            {
                best = c;
                bestLag = lag;
            }
        }

        return bestLag;
    }

    /// <summary>
    /// Compares the output, shifted back by <paramref name="lag"/> samples
    /// (<see cref="ProcessingDelaySamples"/>), with the clean near end over the near-end-active
    /// frames of <paramref name="segment"/>.
    /// </summary>
    public static NearEndPreservation NearEnd(EchoScenario s, short[] output, Segment segment, int lag)
    {
        int frame = s.SamplesPer10Ms;
        var frames = NearActiveFrames(s, segment);
        double near = 0, outPower = 0, distortion = 0;
        foreach (int f in frames)
        {
            for (int i = f; i < f + frame && i + lag < output.Length; i++)
            {
                double n = s.NearEnd[i], o = output[i + lag];
                near += n * n;
                outPower += o * o;
                distortion += (o - n) * (o - n);
            }
        }

        return new NearEndPreservation(
            Correlation(s.NearEnd, output, frames, frame, lag),
            10 * Math.Log10(outPower / near),
            10 * Math.Log10(near / Math.Max(distortion, 1e-3)));
    }

    private static List<int> NearActiveFrames(EchoScenario s, Segment segment)
    {
        int frame = s.SamplesPer10Ms;
        double meanNear = MeanPower(s.NearEnd, segment, frame);
        return Enumerable.Range(0, segment.Length / frame).Select(i => segment.Start + i * frame)
            .Where(f => Power(s.NearEnd, f, frame) >= 0.01 * meanNear).ToList();
    }

    private static double Correlation(short[] near, short[] output, List<int> frames, int frame, int lag)
    {
        double xy = 0, xx = 0, yy = 0;
        foreach (int f in frames)
        {
            for (int i = f; i < f + frame && i + lag < output.Length; i++)
            {
                double x = near[i], y = output[i + lag];
                xy += x * y;
                xx += x * x;
                yy += y * y;
            }
        }

        return xy / Math.Sqrt(Math.Max(xx * yy, 1e-9));
    }

    private static IEnumerable<int> ActiveEchoFrames(EchoScenario s, Segment segment, double? reference = null)
    {
        int frame = s.SamplesPer10Ms;
        double mean = reference ?? s.MeanEchoPower(segment);
        for (int f = segment.Start; f + frame <= segment.End; f += frame)
        {
            if (Power(s.Echo, f, frame) >= 0.01 * mean)
            {
                yield return f;
            }
        }
    }

    internal static double MeanEchoPower(this EchoScenario s, Segment segment)
    {
        double sum = 0;
        for (int i = segment.Start; i < segment.End; i++)
        {
            sum += s.Echo[i] * s.Echo[i];
        }

        return sum / Math.Max(segment.Length, 1);
    }

    private static double MeanPower(short[] x, Segment segment, int frame)
    {
        double sum = 0;
        for (int i = segment.Start; i < segment.End; i++)
        {
            sum += (double)x[i] * x[i];
        }

        return sum / Math.Max(segment.Length, 1);
    }

    private static double Power(short[] x, int start, int count)
    {
        double sum = 0;
        for (int i = start; i < start + count; i++)
        {
            sum += (double)x[i] * x[i];
        }

        return sum / count;
    }

    private static double Power(double[] x, int start, int count)
    {
        double sum = 0;
        for (int i = start; i < start + count; i++)
        {
            sum += x[i] * x[i];
        }

        return sum / count;
    }
}
