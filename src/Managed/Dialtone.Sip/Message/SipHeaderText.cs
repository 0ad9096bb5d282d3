using System.Buffers;
using System.Text;

namespace Dialtone.Sip.Message;

/// <summary>
/// Turns a raw header value (UTF-8 bytes the parser validated, possibly folded over several
/// lines) into the text the typed views read: trimmed, each fold joined by one space. Decodes into
/// a caller's scratch span, so a typed view parses without building a string of the whole value.
/// </summary>
internal static class SipHeaderText
{
    /// <summary>Parses the unfolded value with <paramref name="parse"/>, decoding on the stack when it is small.</summary>
    public static T Parse<T>(ReadOnlySpan<byte> rawValue, string what, int line, SpanParser<T> parse)
    {
        if (rawValue.Length <= 512)
        {
            Span<char> scratch = stackalloc char[rawValue.Length];
            return parse(Unfold(rawValue, scratch), what, line);
        }
        var rented = ArrayPool<char>.Shared.Rent(rawValue.Length);
        try
        {
            return parse(Unfold(rawValue, rented), what, line);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    public delegate T SpanParser<T>(ReadOnlySpan<char> value, string what, int line);

    public static string ValueString(ReadOnlySpan<byte> rawValue) =>
        Parse(rawValue, "", 0, static (v, _, _) => v.ToString());

    /// <summary>Decodes and unfolds into <paramref name="scratch"/> (at least as long as the bytes) and returns the text.</summary>
    public static ReadOnlySpan<char> Unfold(ReadOnlySpan<byte> rawValue, Span<char> scratch)
    {
        rawValue = rawValue.Trim(" \t\r\n"u8);
        var n = Encoding.UTF8.GetChars(rawValue, scratch);
        var text = scratch[..n];
        if (rawValue.IndexOf((byte)'\n') < 0)
            return text;
        // Whitespace around a line break collapses into one space (in place: the text only shrinks).
        var w = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is '\r' or '\n')
            {
                while (i + 1 < text.Length && text[i + 1] is '\r' or '\n' or ' ' or '\t')
                    i++;
                while (w > 0 && text[w - 1] is ' ' or '\t')
                    w--;
                text[w++] = ' ';
            }
            else
            {
                text[w++] = text[i];
            }
        }
        return text[..w];
    }
}
