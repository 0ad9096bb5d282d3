using System.Globalization;

namespace Dialtone.Sip.Message;

/// <summary>The CSeq header (RFC 3261 §20.16): a sequence number below 2^31 and a method.</summary>
public sealed record SipCSeq(long Number, string Method)
{
    public const long MaxNumber = (1L << 31) - 1;

    public static SipCSeq Parse(string text) => Parse(text.AsSpan(), "CSeq", 0);

    internal static SipCSeq Parse(ReadOnlySpan<char> text, string what, int line)
    {
        var s = new SipScanner(text, what, line);
        s.SkipWhitespace();
        var start = s.Position;
        while (!s.AtEnd && char.IsAsciiDigit(s.Peek))
            s.Position++;
        var digits = s.Slice(start, s.Position);
        if (digits.IsEmpty || digits.Length > 10 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > MaxNumber)
        {
            s.Position = start;
            throw s.Error("sequence number must be a decimal below 2^31");
        }
        if (s.Peek is not (' ' or '\t'))
            throw s.Error("expected whitespace between number and method");
        s.SkipWhitespace();
        var method = s.ReadToken("method");
        s.SkipWhitespace();
        if (!s.AtEnd)
            throw s.Error($"unexpected '{s.Peek}' after the method");
        return new SipCSeq(number, SipMethods.Intern(method));
    }

    public override string ToString() => $"{Number.ToString(CultureInfo.InvariantCulture)} {Method}";
}
