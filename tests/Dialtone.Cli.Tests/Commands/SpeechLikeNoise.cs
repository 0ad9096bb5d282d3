namespace Dialtone.Cli.Tests.Commands;

/// <summary>
/// A far end that sounds like talk to an echo canceller: bursts of broadband noise ("syllables" of
/// 120–300 ms at varying loudness) with short pauses. A steady tone is a poor test signal for AEC3:
/// its delay estimator correlates the speaker's signal with the microphone's, and a periodic signal
/// correlates equally well at every period, so convergence took anywhere from 10 s to over 40 s.
/// Seeded, so every run says the same thing.
/// </summary>
internal sealed class SpeechLikeNoise(int sampleRateHz, int seed = 1)
{
    private readonly Random _random = new(seed);
    private int _left;
    private double _amplitude;

    public void Fill(Span<short> frame)
    {
        for (var i = 0; i < frame.Length; i++)
        {
            if (_left-- <= 0)
                NextSegment();
            frame[i] = (short)((_random.NextDouble() * 2 - 1) * _amplitude * short.MaxValue);
        }
    }

    /// <summary>A syllable, or (one time in three) a pause of 60–150 ms.</summary>
    private void NextSegment()
    {
        var pause = _random.Next(3) == 0;
        _amplitude = pause ? 0 : 0.1 + 0.25 * _random.NextDouble();
        _left = sampleRateHz * (pause ? _random.Next(60, 151) : _random.Next(120, 301)) / 1000;
    }
}
