using System.Buffers;
using System.Text;

namespace Dialtone.Sip.Message;

/// <summary>Character classes and small helpers from the RFC 3261 §25 grammar.</summary>
public static class SipSyntax
{
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~");

    // unreserved / escaped / user-unreserved (RFC 3261 §25.1 "user").
    private static readonly SearchValues<char> UserChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!~*'()&=+$,;?/");

    // unreserved / param-unreserved ("paramchar" without escapes).
    private static readonly SearchValues<char> ParamChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!~*'()[]/:&+$");

    private static readonly SearchValues<char> PasswordChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!~*'()&=+$,");

    internal static SearchValues<char> TokenCharValues => TokenChars;

    /// <summary>token characters and ':' (a gen-value may be a host with a port).</summary>
    internal static readonly SearchValues<char> TokenOrColonChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~:");

    /// <summary>Characters of a host name or IPv4 address as the parser reads them.</summary>
    internal static readonly SearchValues<char> HostChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._");

    /// <summary>token characters (RFC 3261 §25.1).</summary>
    public static bool IsTokenChar(char c) => TokenChars.Contains(c);

    public static bool IsToken(ReadOnlySpan<char> s) => !s.IsEmpty && !s.ContainsAnyExcept(TokenChars);

    /// <summary>
    /// Quotes <paramref name="value"/> as a quoted-string, escaping '"', '\' and control characters
    /// as quoted-pairs (RFC 3261 §25.1). CR and LF have no quoted form and are left for the header
    /// line to refuse.
    /// </summary>
    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\' || (IsControl(c) && c is not ('\r' or '\n' or '\t')))
                sb.Append('\\');
            sb.Append(c);
        }
        return sb.Append('"').ToString();
    }

    private static bool IsControl(int c) => c is < 0x20 or 0x7f;

    /// <summary>
    /// The index of the first control character (other than TAB, CR, LF) that is not escaped as a
    /// quoted-pair inside a closed quoted string, or -1. Quote state ends with a header line (a line
    /// break not followed by folding whitespace).
    /// </summary>
    internal static int IndexOfBareControl(ReadOnlySpan<byte> text, SearchValues<byte> controls)
    {
        var inQuotes = false;
        var escapedControl = -1; // first control escaped in the open quoted string
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n')
            {
                if (i + 1 >= text.Length || text[i + 1] is not ((byte)' ' or (byte)'\t'))
                {
                    if (inQuotes && escapedControl >= 0)
                        return escapedControl;
                    inQuotes = false;
                }
                continue;
            }
            if (controls.Contains(c))
                return i;
            if (!inQuotes)
            {
                inQuotes = c == '"';
                escapedControl = -1;
            }
            else if (c == '"')
            {
                inQuotes = false;
            }
            else if (c == '\\' && i + 1 < text.Length && text[i + 1] is not ((byte)'\r' or (byte)'\n'))
            {
                if (controls.Contains(text[i + 1]) && escapedControl < 0)
                    escapedControl = i + 1;
                i++;
            }
        }
        return inQuotes && escapedControl >= 0 ? escapedControl : -1;
    }

    /// <summary>The same rule for one header value given as text (control characters other than TAB; CR/LF are checked separately).</summary>
    internal static int IndexOfBareControl(ReadOnlySpan<char> value)
    {
        var inQuotes = false;
        var escapedControl = -1;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (IsControl(c) && c is not ('\t' or '\r' or '\n'))
                return i;
            if (!inQuotes)
            {
                inQuotes = c == '"';
                escapedControl = -1;
            }
            else if (c == '"')
            {
                inQuotes = false;
            }
            else if (c == '\\' && i + 1 < value.Length && value[i + 1] is not ('\r' or '\n'))
            {
                if (IsControl(value[i + 1]) && value[i + 1] != '\t' && escapedControl < 0)
                    escapedControl = i + 1;
                i++;
            }
        }
        return inQuotes && escapedControl >= 0 ? escapedControl : -1;
    }

    /// <summary>Removes the quotes and escapes of a quoted-string; returns other text unchanged.</summary>
    public static string Unquote(ReadOnlySpan<char> value)
    {
        if (value.Length < 2 || value[0] != '"' || value[^1] != '"')
            return value.ToString();
        var inner = value[1..^1];
        if (inner.IndexOf('\\') < 0)
            return inner.ToString();
        var sb = new StringBuilder(inner.Length);
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '\\' && i + 1 < inner.Length)
                i++;
            sb.Append(inner[i]);
        }
        return sb.ToString();
    }

    internal static string EscapeUser(string user) => Escape(user, UserChars);

    internal static string EscapePassword(string password) => Escape(password, PasswordChars);

    internal static string EscapeParam(string value) => Escape(value, ParamChars);

    private static string Escape(string value, SearchValues<char> allowed)
    {
        if (!value.AsSpan().ContainsAnyExcept(allowed))
            return value;
        var sb = new StringBuilder(value.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            if (rune.IsAscii && allowed.Contains((char)rune.Value))
            {
                sb.Append((char)rune.Value);
                continue;
            }
            var n = rune.EncodeToUtf8(utf8);
            for (var i = 0; i < n; i++)
                sb.Append('%').Append(utf8[i].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>Decodes %HH escapes (as UTF-8). Throws <see cref="SipParseException"/> for a broken escape.</summary>
    internal static string? Unescape(ReadOnlySpan<char> value, string what, bool build = true)
    {
        if (value.IndexOf('%') < 0)
            return build ? value.ToString() : null;
        if (!build)
        {
            for (var i = value.IndexOf('%'); i >= 0 && i < value.Length; i++)
            {
                if (value[i] != '%')
                    continue;
                if (i + 2 >= value.Length || !IsHex(value[i + 1]) || !IsHex(value[i + 2]))
                    throw new SipParseException($"{what}: broken %-escape", 0, i);
                i += 2;
            }
            return null;
        }
        var bytes = new byte[value.Length * 3];
        var n = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%')
            {
                if (i + 2 >= value.Length || !IsHex(value[i + 1]) || !IsHex(value[i + 2]))
                    throw new SipParseException($"{what}: broken %-escape", 0, i);
                bytes[n++] = (byte)(HexValue(value[i + 1]) * 16 + HexValue(value[i + 2]));
                i += 2;
            }
            else if (c > 0x7f)
            {
                n += Encoding.UTF8.GetBytes(value.Slice(i, 1), bytes.AsSpan(n));
            }
            else
            {
                bytes[n++] = (byte)c;
            }
        }
        return Encoding.UTF8.GetString(bytes, 0, n);
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
