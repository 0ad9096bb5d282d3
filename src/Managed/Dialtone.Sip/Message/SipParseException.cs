namespace Dialtone.Sip.Message;

/// <summary>
/// The one exception the message layer throws for malformed input. It says what was wrong and
/// where: the 1-based line of the message (0 when unknown, e.g. a value built in code) and the
/// 0-based character offset within that line or value.
/// </summary>
public sealed class SipParseException : Exception
{
    public SipParseException(string reason, int line = 0, int offset = -1, Exception? inner = null)
        : base(Format(reason, line, offset), inner)
    {
        Reason = reason;
        Line = line;
        Offset = offset;
    }

    /// <summary>What was wrong, without the position (fit for a 400 reason phrase).</summary>
    public string Reason { get; }

    /// <summary>1-based line number in the message, or 0 when not known.</summary>
    public int Line { get; }

    /// <summary>0-based offset within the line (or header value), or -1 when not known.</summary>
    public int Offset { get; }

    private static string Format(string reason, int line, int offset) => (line, offset) switch
    {
        ( > 0, >= 0) => $"{reason} (line {line}, offset {offset})",
        ( > 0, _) => $"{reason} (line {line})",
        (_, >= 0) => $"{reason} (offset {offset})",
        _ => reason,
    };
}
