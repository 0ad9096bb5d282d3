namespace Dialtone.WebRtc;

/// <summary>
/// The one check of what may be sent as RFC 4733 tones, shared by the WebRTC <see cref="DtmfSender"/>
/// and the plain-RTP <see cref="Rtp.RtpSession"/>, so both refuse the same input with the same words.
/// </summary>
internal static class DtmfTones
{
    private const string Valid = "0123456789ABCDabcd#*,";

    /// <summary>
    /// Throws for a character that is not a tone ("0"-"9", "A"-"D", "#", "*", "," = 2 s pause), a
    /// duration outside 40–6000 ms or a gap under 30 ms; otherwise the duration and gap in ms
    /// (defaults 100 and 70 ms).
    /// </summary>
    public static (int DurationMs, int GapMs) Validate(string tones, TimeSpan? duration, TimeSpan? interToneGap)
    {
        ArgumentNullException.ThrowIfNull(tones);
        foreach (char c in tones)
        {
            if (!Valid.Contains(c, StringComparison.Ordinal))
            {
                throw new ArgumentException($"'{c}' is not a DTMF tone (0-9, A-D, #, *, ',').", nameof(tones));
            }
        }

        int durationMs = (int)(duration ?? TimeSpan.FromMilliseconds(100)).TotalMilliseconds;
        int gapMs = (int)(interToneGap ?? TimeSpan.FromMilliseconds(70)).TotalMilliseconds;
        if (durationMs is < 40 or > 6000)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "must be 40..6000 ms");
        }

        if (gapMs < 30)
        {
            throw new ArgumentOutOfRangeException(nameof(interToneGap), interToneGap, "must be at least 30 ms");
        }

        return (durationMs, gapMs);
    }
}
