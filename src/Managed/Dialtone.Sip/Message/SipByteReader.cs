namespace Dialtone.Sip.Message;

/// <summary>
/// A cursor over a raw header value as UTF-8 bytes (possibly folded), for the zero-copy views
/// (<see cref="SipViaView"/>, <see cref="SipAddressView"/>, <see cref="SipCSeqView"/>). Line
/// breaks count as whitespace: the parser only lets CRLF into a value when a fold follows. Every
/// method reports failure by its return value; nothing here throws.
/// </summary>
internal ref struct SipByteReader(ReadOnlySpan<byte> text)
{
    private readonly ReadOnlySpan<byte> _text = text;

    public int Position;

    public readonly bool AtEnd => Position >= _text.Length;

    public readonly int Peek => Position < _text.Length ? _text[Position] : -1;

    public readonly ReadOnlySpan<byte> Rest => _text[Position..];

    public readonly ReadOnlySpan<byte> Slice(int start, int end) => _text[start..end];

    public static bool IsWhitespace(int b) => b is ' ' or '\t' or '\r' or '\n';

    public void SkipWhitespace() => Position = SipLexer.SkipWhitespace(_text, Position, lineBreaks: true);

    /// <summary>Consumes <paramref name="c"/> with optional whitespace around it when it is next.</summary>
    public bool TryConsume(byte c) => SipLexer.TryConsume(_text, ref Position, c, lineBreaks: true);

    public bool TryReadToken(out ReadOnlySpan<byte> token) => TryReadRun(SipBytes.Token, out token);

    public bool TryReadHost(out ReadOnlySpan<byte> host)
    {
        if (Peek == '[')
        {
            var close = Rest.IndexOf((byte)']');
            host = default;
            if (close < 2 || Rest[1..close].ContainsAnyExcept("0123456789abcdefABCDEF:."u8) || Rest[1..close].IndexOf((byte)':') < 0)
                return false;
            host = Rest[..(close + 1)];
            Position += close + 1;
            return true;
        }
        return TryReadRun(SipBytes.Host, out host);
    }

    /// <summary>1 to 5 digits, at most 65535.</summary>
    public bool TryReadPort(out int port)
    {
        port = 0;
        var start = Position;
        while (Position < _text.Length && (uint)(_text[Position] - '0') <= 9 && Position - start < 6)
            port = port * 10 + (_text[Position++] - '0');
        return Position - start is >= 1 and <= 5 && port <= 65535;
    }

    /// <summary>A quoted string starting at the current '"', returned with its quotes.</summary>
    public bool TryReadQuoted(out ReadOnlySpan<byte> quoted)
    {
        quoted = default;
        var start = Position;
        if (Peek != '"')
            return false;
        for (var i = Position + 1; i < _text.Length; i++)
        {
            var c = _text[i];
            if (c == '\\')
            {
                i++;
            }
            else if (c == '"')
            {
                Position = i + 1;
                quoted = _text[start..Position];
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Reads the next header parameter (<c>";" name [ "=" value ]</c>, value empty for a flag,
    /// quotes kept). Returns false with <paramref name="malformed"/> false when no ';' follows,
    /// and with it true when what follows the ';' is not a parameter.
    /// </summary>
    public bool TryReadParameter(out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value, out bool malformed)
    {
        value = default;
        name = default;
        malformed = false;
        if (!TryConsume((byte)';'))
            return false;
        malformed = true;
        if (!TryReadToken(out name))
            return false;
        if (TryConsume((byte)'='))
        {
            var ok = Peek switch
            {
                '"' => TryReadQuoted(out value),
                '[' => TryReadHost(out value),
                _ => TryReadRun(SipBytes.TokenOrColon, out value),
            };
            if (!ok)
                return false;
        }
        var after = Position;
        SkipWhitespace();
        if (!AtEnd && Peek is not (';' or ','))
            return false;
        Position = after;
        malformed = false;
        return true;
    }

    private bool TryReadRun(byte cls, out ReadOnlySpan<byte> run)
    {
        var n = SipBytes.RunLength(Rest, cls);
        run = Rest[..n];
        Position += n;
        return n > 0;
    }
}
