namespace Dialtone.Sip.Message;

/// <summary>
/// Byte-level checks of the common shapes of the headers the receive path validates (Via,
/// name-addr addresses, Content-Type): one tight pass over the raw value, no decoding. Each
/// accepts only a subset of what the record parser accepts (no folds, single spaces where the
/// grammar allows whitespace, plain sip URIs, no escapes), so "true" means the full check would
/// pass; "false" means "ask the full check", which then says what is wrong, if anything.
/// </summary>
internal static class SipQuickGrammar
{
    /// <summary>
    /// <c>proto/version/transport SP host[:port] *(;token[=gen-value])</c>, entries separated by
    /// <c>,</c> with an optional space.
    /// </summary>
    public static bool IsPlainViaList(ReadOnlySpan<byte> value)
    {
        var p = SkipSpaces(value, 0);
        while (true)
        {
            if (!Token(value, ref p) || !Byte(value, ref p, '/') || !Token(value, ref p) || !Byte(value, ref p, '/') || !Token(value, ref p)
                || !Byte(value, ref p, ' '))
                return false;
            var host = SipBytes.RunLength(value[p..], SipBytes.Host);
            if (host == 0)
                return false;
            p += host;
            if (p < value.Length && value[p] == ':' && !Port(value, ref p))
                return false;
            if (!Parameters(value, ref p))
                return false;
            p = SkipSpaces(value, p);
            if (p == value.Length)
                return true;
            if (!Byte(value, ref p, ','))
                return false;
            p = SkipSpaces(value, p);
        }
    }

    /// <summary>
    /// One name-addr (<c>[display] &lt;plain sip URI&gt; *(;token[=gen-value|quoted])</c>), or
    /// with <paramref name="list"/> several separated by <c>,</c> with an optional space.
    /// </summary>
    public static bool IsPlainNameAddr(ReadOnlySpan<byte> value, bool list)
    {
        var p = SkipSpaces(value, 0);
        while (true)
        {
            if (p < value.Length && value[p] == '"')
            {
                if (!Quoted(value, ref p))
                    return false;
                p = SkipSpaces(value, p);
            }
            else
            {
                // display-name as tokens separated by single spaces, then (after an optional space) '<'.
                while (p < value.Length && value[p] != '<')
                {
                    if (!Token(value, ref p))
                        return false;
                    if (p < value.Length && value[p] == ' ')
                        p++;
                }
            }
            if (!Byte(value, ref p, '<'))
                return false;
            var close = value[p..].IndexOf((byte)'>');
            if (close < 0 || !SipParser.IsPlainSipUri(value.Slice(p, close)))
                return false;
            p += close + 1;
            if (!Parameters(value, ref p))
                return false;
            p = SkipSpaces(value, p);
            if (p == value.Length)
                return true;
            if (!list || !Byte(value, ref p, ','))
                return false;
            p = SkipSpaces(value, p);
        }
    }

    /// <summary><c>token/token *(;token[=gen-value|quoted])</c>.</summary>
    public static bool IsPlainMediaType(ReadOnlySpan<byte> value)
    {
        var p = SkipSpaces(value, 0);
        if (!Token(value, ref p) || !Byte(value, ref p, '/') || !Token(value, ref p) || !Parameters(value, ref p))
            return false;
        return SkipSpaces(value, p) == value.Length;
    }

    /// <summary><c>*(;token[=gen-value|quoted])</c> with no whitespace inside.</summary>
    private static bool Parameters(ReadOnlySpan<byte> value, ref int p)
    {
        while (p < value.Length && value[p] == ';')
        {
            p++;
            if (!Token(value, ref p))
                return false;
            if (p < value.Length && value[p] == '=')
            {
                p++;
                if (p < value.Length && value[p] == '"')
                {
                    if (!Quoted(value, ref p))
                        return false;
                }
                else
                {
                    var n = SipBytes.RunLength(value[p..], SipBytes.TokenOrColon);
                    if (n == 0)
                        return false;
                    p += n;
                }
            }
        }
        return true;
    }

    /// <summary>A quoted string without escapes or line breaks.</summary>
    private static bool Quoted(ReadOnlySpan<byte> value, ref int p)
    {
        var rest = value[(p + 1)..];
        var end = rest.IndexOfAny("\"\\\r\n"u8);
        if (end < 0 || rest[end] != '"')
            return false;
        p += end + 2;
        return true;
    }

    private static bool Port(ReadOnlySpan<byte> value, ref int p)
    {
        p++; // ':'
        var start = p;
        var port = 0;
        while (p < value.Length && (uint)(value[p] - '0') <= 9 && p - start < 6)
            port = port * 10 + (value[p++] - '0');
        return p - start is >= 1 and <= 5 && port <= 65535;
    }

    private static bool Token(ReadOnlySpan<byte> value, ref int p)
    {
        var n = SipBytes.RunLength(value[p..], SipBytes.Token);
        p += n;
        return n > 0;
    }

    private static bool Byte(ReadOnlySpan<byte> value, ref int p, char c)
    {
        if (p >= value.Length || value[p] != c)
            return false;
        p++;
        return true;
    }

    private static int SkipSpaces(ReadOnlySpan<byte> value, int p)
    {
        while (p < value.Length && value[p] == ' ')
            p++;
        return p;
    }
}
