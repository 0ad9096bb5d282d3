using System.Text;
using Dialtone.Phone.Audio;

namespace Dialtone.Cli.Audio;

/// <summary>
/// Collects the DTMF digits heard in a stream of 10 ms frames. <see cref="DtmfDetector"/> reports a
/// digit again whenever its tone resumes after a single off block, which happens when the jitter
/// buffer glitches in the middle of a digit on a loaded machine (seen: "1559" for "159#"). A person
/// or a gateway sends digits at least 40 ms apart (ITU-T Q.24) and each lasts 40 ms or more, so the
/// same digit reported again within <see cref="RepeatWindow"/> of its start is the same key press.
/// </summary>
internal sealed class DigitListener(int sampleRateHz)
{
    /// <summary>A digit of 120–160 ms plus a stretch by the jitter buffer; a real repeat starts later than this.</summary>
    public static readonly TimeSpan RepeatWindow = TimeSpan.FromMilliseconds(250);

    private readonly DtmfDetector _detector = new(sampleRateHz);
    private readonly Lock _lock = new();
    private readonly StringBuilder _digits = new();
    private long _frame;
    private long _lastFrame = long.MinValue / 2;
    private char _last;

    public string Digits
    {
        get
        {
            lock (_lock)
                return _digits.ToString();
        }
    }

    /// <summary>Examines one 10 ms frame.</summary>
    public void Process(ReadOnlySpan<short> frame)
    {
        var now = _frame++;
        if (_detector.Process(frame) is not { } digit)
            return;
        var sameKeyPress = digit == _last && (now - _lastFrame) * 10 < RepeatWindow.TotalMilliseconds;
        _last = digit;
        _lastFrame = now;
        if (sameKeyPress)
            return;
        lock (_lock)
            _digits.Append(digit);
    }
}
