using Dialtone.Phone.Audio;

namespace Dialtone.Phone.Tests.Audio;

public sealed class DtmfDetectorTests
{
    private const int Rate = 48000;
    private const int Block = Rate / 50; // 20 ms

    [Fact]
    public void Recognises_every_key_once_in_order()
    {
        const string digits = "0123456789*#ABCD";
        var detector = new DtmfDetector(Rate);
        var heard = new List<char>();
        foreach (var key in digits)
        {
            var (row, column) = DtmfDetector.FrequenciesOf(key);
            Feed(detector, new ToneGenerator(row, Rate, 0.25, column), TimeSpan.FromMilliseconds(100), heard);
            Feed(detector, null, TimeSpan.FromMilliseconds(60), heard);
        }
        Assert.Equal(digits, new string(heard.ToArray()));
    }

    [Fact]
    public void Reports_a_long_tone_once_and_the_same_key_again_after_a_gap()
    {
        var detector = new DtmfDetector(Rate);
        var heard = new List<char>();
        var (row, column) = DtmfDetector.FrequenciesOf('5');
        Feed(detector, new ToneGenerator(row, Rate, 0.25, column), TimeSpan.FromMilliseconds(600), heard);
        Feed(detector, null, TimeSpan.FromMilliseconds(60), heard);
        Feed(detector, new ToneGenerator(row, Rate, 0.25, column), TimeSpan.FromMilliseconds(100), heard);
        Assert.Equal("55", new string(heard.ToArray()));
    }

    [Fact]
    public void A_short_dropout_inside_a_tone_does_not_count_the_digit_twice()
    {
        var detector = new DtmfDetector(Rate);
        var heard = new List<char>();
        var (row, column) = DtmfDetector.FrequenciesOf('9');
        Feed(detector, new ToneGenerator(row, Rate, 0.25, column), TimeSpan.FromMilliseconds(80), heard);
        Feed(detector, null, TimeSpan.FromMilliseconds(20), heard);
        Feed(detector, new ToneGenerator(row, Rate, 0.25, column), TimeSpan.FromMilliseconds(80), heard);
        Assert.Equal("9", new string(heard.ToArray()));
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(440)]
    public void Ignores_single_tones(double frequency)
    {
        var detector = new DtmfDetector(Rate);
        var heard = new List<char>();
        Feed(detector, new ToneGenerator(frequency, Rate), TimeSpan.FromSeconds(1), heard);
        Assert.Empty(heard);
    }

    [Fact]
    public void Ignores_noise()
    {
        var detector = new DtmfDetector(Rate);
        var random = new Random(7);
        var block = new short[Block];
        for (var i = 0; i < 100; i++)
        {
            for (var j = 0; j < block.Length; j++)
                block[j] = (short)random.Next(-8000, 8000);
            Assert.Null(detector.Process(block));
        }
    }

    private static void Feed(DtmfDetector detector, ToneGenerator? tone, TimeSpan duration, List<char> heard)
    {
        var block = new short[Block];
        for (var elapsed = TimeSpan.Zero; elapsed < duration; elapsed += TimeSpan.FromMilliseconds(20))
        {
            if (tone is null)
                Array.Clear(block);
            else
                tone.Fill(block);
            if (detector.Process(block) is { } key)
                heard.Add(key);
        }
    }
}
