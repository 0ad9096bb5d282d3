namespace Dialtone.WebRtc.Tests.Infrastructure;

/// <summary>A continuous sine generator (phase carried across frames) and Goertzel analysis.</summary>
public sealed class ToneGenerator(double frequency, int sampleRate, double amplitude = 0.3)
{
    private double phase;

    public void Fill(Span<short> frame)
    {
        double step = 2 * Math.PI * frequency / sampleRate;
        for (int i = 0; i < frame.Length; i++)
        {
            frame[i] = (short)(Math.Sin(phase) * amplitude * short.MaxValue);
            phase += step;
            if (phase > 2 * Math.PI)
            {
                phase -= 2 * Math.PI;
            }
        }
    }
}

public static class Goertzel
{
    /// <summary>
    /// The share of the block's energy at <paramref name="frequency"/>: about 1 for a pure tone there,
    /// about 0 for silence, noise or another tone.
    /// </summary>
    public static double EnergyFraction(ReadOnlySpan<short> samples, double frequency, int sampleRate)
    {
        int n = samples.Length;
        double coefficient = 2 * Math.Cos(2 * Math.PI * frequency / sampleRate);
        double s1 = 0, s2 = 0, energy = 0;
        for (int i = 0; i < n; i++)
        {
            double x = samples[i];
            energy += x * x;
            double s0 = x + coefficient * s1 - s2;
            s2 = s1;
            s1 = s0;
        }

        if (energy <= 0)
        {
            return 0;
        }

        double power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
        return 2 * power / n / energy;
    }

    public static double Rms(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (short s in samples)
        {
            sum += (double)s * s;
        }

        return samples.Length == 0 ? 0 : Math.Sqrt(sum / samples.Length);
    }
}

/// <summary>Decodes DTMF digits from audio: per 20 ms block, the strongest row and column tone.</summary>
public static class DtmfDetector
{
    private static readonly double[] Rows = [697, 770, 852, 941];
    private static readonly double[] Columns = [1209, 1336, 1477, 1633];
    private static readonly char[,] Keys = { { '1', '2', '3', 'A' }, { '4', '5', '6', 'B' }, { '7', '8', '9', 'C' }, { '*', '0', '#', 'D' } };

    public static string Detect(ReadOnlySpan<short> samples, int sampleRate)
    {
        int block = sampleRate / 50;
        var digits = new System.Text.StringBuilder();
        char previous = '\0';
        for (int start = 0; start + block <= samples.Length; start += block)
        {
            var span = samples.Slice(start, block);
            char key = '\0';
            if (Goertzel.Rms(span) > 300)
            {
                (int row, double rowShare) = Strongest(span, Rows, sampleRate);
                (int col, double colShare) = Strongest(span, Columns, sampleRate);
                if (rowShare > 0.2 && colShare > 0.2 && rowShare + colShare > 0.6)
                {
                    key = Keys[row, col];
                }
            }

            if (key != '\0' && key != previous)
            {
                digits.Append(key);
            }

            previous = key;
        }

        return digits.ToString();
    }

    /// <summary>Per-block analysis for failure messages: rms, row/column and their shares.</summary>
    public static string Describe(ReadOnlySpan<short> samples, int sampleRate)
    {
        int block = sampleRate / 50;
        var text = new System.Text.StringBuilder();
        for (int start = 0; start + block <= samples.Length; start += block)
        {
            var span = samples.Slice(start, block);
            double rms = Goertzel.Rms(span);
            if (rms <= 300)
            {
                continue;
            }

            (int row, double rowShare) = Strongest(span, Rows, sampleRate);
            (int col, double colShare) = Strongest(span, Columns, sampleRate);
            text.Append(System.FormattableString.Invariant($"[{start / block}: rms {rms:F0} {Keys[row, col]} {rowShare:F2}/{colShare:F2}] "));
        }

        return text.ToString();
    }

    private static (int Index, double Share) Strongest(ReadOnlySpan<short> block, double[] frequencies, int sampleRate)
    {
        int best = 0;
        double bestShare = -1;
        for (int i = 0; i < frequencies.Length; i++)
        {
            double share = Goertzel.EnergyFraction(block, frequencies[i], sampleRate);
            if (share > bestShare)
            {
                best = i;
                bestShare = share;
            }
        }

        return (best, bestShare);
    }
}
