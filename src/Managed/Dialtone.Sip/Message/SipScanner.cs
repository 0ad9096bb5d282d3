namespace Dialtone.Sip.Message;

/// <summary>
/// A cursor over one unfolded header value (or URI) used by the typed views. It knows the SIP
/// lexical rules (tokens, quoted strings with escapes, separators with optional whitespace) and
/// reports every error as a <see cref="SipParseException"/> carrying the header's line.
/// </summary>
internal ref struct SipScanner
{
    private readonly ReadOnlySpan<char> _text;
    private readonly string _what;
    private readonly int _line;

    public SipScanner(ReadOnlySpan<char> text, string what, int line = 0)
    {
        _text = text;
        _what = what;
        _line = line;
        Position = 0;
    }

    public int Position { get; set; }

    public readonly bool AtEnd => Position >= _text.Length;

    public readonly char Peek => Position < _text.Length ? _text[Position] : '\0';

    public readonly ReadOnlySpan<char> Rest => _text[Position..];

    public readonly ReadOnlySpan<char> Slice(int start, int end) => _text[start..end];

    public readonly SipParseException Error(string problem) => new($"{_what}: {problem}", _line, Position);

    public void SkipWhitespace() => Position = SipLexer.SkipWhitespace(_text, Position, lineBreaks: false);

    /// <summary>Consumes <paramref name="c"/> with optional surrounding whitespace if it is next.</summary>
    public bool TryConsume(char c)
    {
        var position = Position;
        var consumed = SipLexer.TryConsume(_text, ref position, c, lineBreaks: false);
        Position = position;
        return consumed;
    }

    public void Expect(char c)
    {
        if (!TryConsume(c))
            throw Error(AtEnd ? $"expected '{c}' but the value ended" : $"expected '{c}' but found '{Peek}'");
    }

    public ReadOnlySpan<char> ReadToken(string what)
    {
        var start = Position;
        Position = SkipAll(SipSyntax.TokenCharValues);
        if (Position == start)
            throw Error(AtEnd ? $"expected {what} but the value ended" : $"expected {what} but found '{_text[Position]}'");
        return _text[start..Position];
    }

    /// <summary>Reads characters until one of <paramref name="stops"/> or the end (no quote handling).</summary>
    public ReadOnlySpan<char> ReadUntilAny(ReadOnlySpan<char> stops)
    {
        var start = Position;
        var i = _text[Position..].IndexOfAny(stops);
        Position = i < 0 ? _text.Length : Position + i;
        return _text[start..Position];
    }

    /// <summary>The position of the first character from here that is not in <paramref name="allowed"/> (the end if none).</summary>
    public readonly int SkipAll(System.Buffers.SearchValues<char> allowed)
    {
        var i = _text[Position..].IndexOfAnyExcept(allowed);
        return i < 0 ? _text.Length : Position + i;
    }

    /// <summary>Reads a quoted string starting at the current '"' and returns it with its quotes, as written.</summary>
    public ReadOnlySpan<char> ReadQuotedRaw()
    {
        var start = Position;
        if (Peek != '"')
            throw Error("expected a quoted string");
        Position++;
        while (Position < _text.Length)
        {
            var c = _text[Position++];
            if (c == '\\')
            {
                if (Position >= _text.Length)
                    throw Error("escape at the end of a quoted string");
                Position++;
            }
            else if (c == '"')
            {
                return _text[start..Position];
            }
        }
        Position = start;
        throw Error("unterminated quoted string");
    }
}
