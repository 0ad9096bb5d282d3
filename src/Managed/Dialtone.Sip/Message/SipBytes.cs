namespace Dialtone.Sip.Message;

/// <summary>
/// Byte classes of the RFC 3261 §25 grammar as one 256-entry table, so the byte scanners (the
/// parser's header scan, the zero-copy views) classify a byte with one load instead of a
/// <see cref="System.Buffers.SearchValues{T}"/> call per short run.
/// </summary>
internal static class SipBytes
{
    /// <summary>token (RFC 3261 §25.1): alphanumerics and <c>-.!%*_+`'~</c>.</summary>
    public const byte Token = 1;

    /// <summary>Host name or IPv4 address as the parsers read them: alphanumerics and <c>-._</c>.</summary>
    public const byte Host = 2;

    /// <summary>
    /// The userinfo bytes the parser's quick Request-URI check accepts (a subset of what
    /// <see cref="SipUri"/> accepts: no '%'-escapes, no whitespace, no <c>&lt;&gt;"</c>).
    /// </summary>
    public const byte QuickUserInfo = 4;

    /// <summary>The URI parameter bytes the quick Request-URI check accepts (a subset of what <see cref="SipUri"/> accepts).</summary>
    public const byte QuickUriParam = 8;

    /// <summary>SP, HTAB, CR, LF (a header value's whitespace, folds included).</summary>
    public const byte Whitespace = 16;

    /// <summary>The class bits of every byte value (non-ASCII bytes have none).</summary>
    public static ReadOnlySpan<byte> Classes =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 16, 0, 0, 16, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        16, 13, 0, 0, 12, 9, 12, 13, 12, 12, 13, 13, 4, 15, 15, 12,
        15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 12, 4, 0, 4, 0, 4,
        0, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
        15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 0, 0, 0, 0, 15,
        1, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
        15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 0, 0, 0, 13, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    public static bool Is(byte b, byte cls) => (Classes[b] & cls) != 0;

    /// <summary>The length of the run of bytes of class <paramref name="cls"/> at the start of <paramref name="text"/>.</summary>
    public static int RunLength(ReadOnlySpan<byte> text, byte cls)
    {
        var classes = Classes;
        var i = 0;
        while ((uint)i < (uint)text.Length && (classes[text[i]] & cls) != 0)
            i++;
        return i;
    }

    /// <summary>Whether <paramref name="text"/> is non-empty and all of class <paramref name="cls"/>.</summary>
    public static bool IsAll(ReadOnlySpan<byte> text, byte cls) => !text.IsEmpty && RunLength(text, cls) == text.Length;
}
