namespace Dialtone.Phone.Audio;

/// <summary>
/// The power of one frequency in a block of PCM (the Goertzel algorithm): cheaper than an FFT when a
/// few known frequencies matter, as for test tones and DTMF. Allocates nothing.
/// </summary>
public readonly struct GoertzelFilter
{
    private readonly double _coefficient;

    public GoertzelFilter(double frequencyHz, int sampleRateHz)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRateHz);
        if (frequencyHz <= 0 || frequencyHz >= sampleRateHz / 2.0)
            throw new ArgumentOutOfRangeException(nameof(frequencyHz), frequencyHz, "Must lie between 0 and the Nyquist frequency.");
        FrequencyHz = frequencyHz;
        _coefficient = 2 * Math.Cos(2 * Math.PI * frequencyHz / sampleRateHz);
    }

    public double FrequencyHz { get; }

    /// <summary>
    /// The share of the block's energy at this frequency, 0..1 (about 1 for a pure tone at it, near 0
    /// for silence or other tones), so thresholds do not depend on level or block length.
    /// </summary>
    public double RelativePower(ReadOnlySpan<short> samples)
    {
        if (samples.IsEmpty)
            return 0;
        double s1 = 0, s2 = 0, energy = 0;
        foreach (var sample in samples)
        {
            var s0 = sample + _coefficient * s1 - s2;
            s2 = s1;
            s1 = s0;
            energy += (double)sample * sample;
        }
        if (energy <= 0)
            return 0;
        var power = s1 * s1 + s2 * s2 - _coefficient * s1 * s2;
        // A pure tone of N samples gives power ~ N^2 A^2 / 4 while its energy is N A^2 / 2.
        return Math.Clamp(2 * power / (samples.Length * energy), 0, 1);
    }
}
