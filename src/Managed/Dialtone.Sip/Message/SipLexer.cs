using System.Numerics;

namespace Dialtone.Sip.Message;

/// <summary>
/// The separator rules shared by the text cursor (<see cref="SipScanner"/>, over chars) and the
/// byte cursor (<see cref="SipByteReader"/>, over UTF-8 bytes): optional whitespace around a
/// separator (RFC 3261 §25.1 SWS). Generic over the code unit so both read one implementation.
/// </summary>
internal static class SipLexer
{
    /// <summary>SP or HTAB, and CR or LF too when <paramref name="lineBreaks"/> (a raw value keeps its folds).</summary>
    public static bool IsWhitespace<T>(T c, bool lineBreaks)
        where T : unmanaged, IBinaryInteger<T>
    {
        var v = uint.CreateTruncating(c);
        return v is ' ' or '\t' || (lineBreaks && v is '\r' or '\n');
    }

    /// <summary>The first position at or after <paramref name="position"/> that is not whitespace (the end if none).</summary>
    public static int SkipWhitespace<T>(ReadOnlySpan<T> text, int position, bool lineBreaks)
        where T : unmanaged, IBinaryInteger<T>
    {
        while (position < text.Length && IsWhitespace(text[position], lineBreaks))
            position++;
        return position;
    }

    /// <summary>
    /// Consumes <paramref name="c"/> with optional whitespace on both sides when it is next;
    /// otherwise leaves <paramref name="position"/> where it was.
    /// </summary>
    public static bool TryConsume<T>(ReadOnlySpan<T> text, ref int position, T c, bool lineBreaks)
        where T : unmanaged, IBinaryInteger<T>
    {
        var at = SkipWhitespace(text, position, lineBreaks);
        if (at >= text.Length || text[at] != c)
            return false;
        position = SkipWhitespace(text, at + 1, lineBreaks);
        return true;
    }
}
