using Dialtone.Cli.Audio;
using Dialtone.Phone.Audio;

namespace Dialtone.Cli.Tests.Audio;

public sealed class DigitListenerTests
{
    private const int Rate = 48000;
    private readonly DigitListener _listener = new(Rate);

    private void Key(char key, int milliseconds, int dropoutAtMs = -1)
    {
        var (row, column) = DtmfDetector.FrequenciesOf(key);
        var tone = new ToneGenerator(row, Rate, 0.4, column);
        var frame = new short[Rate / 100];
        for (var ms = 0; ms < milliseconds; ms += 10)
        {
            tone.Fill(frame);
            if (ms == dropoutAtMs)
                Array.Clear(frame);
            _listener.Process(frame);
        }
    }

    private void Silence(int milliseconds)
    {
        var frame = new short[Rate / 100];
        for (var ms = 0; ms < milliseconds; ms += 10)
            _listener.Process(frame);
    }

    [Fact]
    public void A_dropout_inside_a_digit_does_not_count_it_twice()
    {
        Key('5', 160, dropoutAtMs: 80);
        Silence(100);
        Key('9', 160);

        Assert.Equal("59", _listener.Digits);
    }

    [Fact]
    public void The_same_key_pressed_twice_counts_twice()
    {
        Key('5', 160);
        Silence(100);
        Key('5', 160);

        Assert.Equal("55", _listener.Digits);
    }
}
