using System.Text;
using Dialtone.Phone;

namespace Dialtone.Cli.Audio;

/// <summary>
/// Collects the DTMF digits a call receives — <see cref="Call.DtmfReceived"/>: RFC 4733 events read from
/// the RTP packets, and SIP INFO — so that a view or a check can read them at any time. Exact, unlike
/// decoding tones from the audio (a loaded machine's jitter buffer can cut a tone short); each digit once.
/// </summary>
internal sealed class DigitListener
{
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

    /// <summary>Adds the digits <paramref name="call"/> receives from now on.</summary>
    public void Follow(Call call) => call.DtmfReceived += (_, e) =>
    {
        lock (_lock)
            _digits.Append(e.Digit);
    };
}
