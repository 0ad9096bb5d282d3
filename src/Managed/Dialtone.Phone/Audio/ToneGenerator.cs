namespace Dialtone.Phone.Audio;

/// <summary>
/// A continuous sine tone, or a sum of two (DTMF), written frame by frame without clicks between
/// frames: the phase carries over. Allocates nothing per frame.
/// </summary>
public sealed class ToneGenerator
{
    private readonly double _step1;
    private readonly double _step2;
    private readonly double _amplitude;
    private double _phase1;
    private double _phase2;

    /// <param name="amplitude">Peak level, 0..1 of full scale (per tone when two are mixed).</param>
    public ToneGenerator(double frequencyHz, int sampleRateHz, double amplitude = 0.3, double secondFrequencyHz = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRateHz);
        if (amplitude is <= 0 or > 1 || (secondFrequencyHz > 0 && amplitude > 0.5))
            throw new ArgumentOutOfRangeException(nameof(amplitude), amplitude, "0 < amplitude <= 1 (0.5 for two tones).");
        _step1 = 2 * Math.PI * frequencyHz / sampleRateHz;
        _step2 = 2 * Math.PI * secondFrequencyHz / sampleRateHz;
        _amplitude = amplitude * short.MaxValue;
    }

    public void Fill(Span<short> samples)
    {
        for (var i = 0; i < samples.Length; i++)
        {
            var value = Math.Sin(_phase1);
            if (_step2 > 0)
                value += Math.Sin(_phase2);
            samples[i] = (short)(value * _amplitude);
            _phase1 = (_phase1 + _step1) % (2 * Math.PI);
            _phase2 = (_phase2 + _step2) % (2 * Math.PI);
        }
    }
}
