using System.Text;
using Dialtone.Phone.Audio;

namespace Dialtone.Cli.Audio;

/// <summary>
/// Collects the DTMF digits heard in a stream of 10 ms frames (fed on the audio thread) so that a
/// view or a check can read them at any time.
/// </summary>
internal sealed class DigitListener(int sampleRateHz)
{
    private readonly DtmfDetector _detector = new(sampleRateHz);
    private readonly Lock _lock = new();
    private readonly StringBuilder _digits = new();

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
        if (_detector.Process(frame) is not { } digit)
            return;
        lock (_lock)
            _digits.Append(digit);
    }
}
