using Dialtone.Phone.Audio;

namespace Dialtone.Phone.Tests.Audio;

public sealed class GoertzelFilterTests
{
    [Fact]
    public void Sees_a_tone_at_its_frequency_and_not_another()
    {
        var block = new short[960];
        new ToneGenerator(1000, 48000).Fill(block);
        Assert.InRange(new GoertzelFilter(1000, 48000).RelativePower(block), 0.9, 1.0);
        Assert.InRange(new GoertzelFilter(1600, 48000).RelativePower(block), 0.0, 0.01);
    }

    [Fact]
    public void Gives_nothing_for_silence() =>
        Assert.Equal(0, new GoertzelFilter(1000, 48000).RelativePower(new short[480]));

    [Fact]
    public void Refuses_frequencies_above_nyquist() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new GoertzelFilter(5000, 8000));
}
