using System.Buffers;
using System.Runtime.InteropServices;

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

    /// <summary>A gen-value's bytes (RFC 3261 §25.1 token / host with a port): token bytes and ':'.</summary>
    public const byte TokenOrColon = 32;

    /// <summary>The class bits of every byte value (non-ASCII bytes have none).</summary>
    public static ReadOnlySpan<byte> Classes =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 16, 0, 0, 16, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        16, 45, 0, 0, 12, 41, 12, 45, 12, 12, 45, 45, 4, 47, 47, 12,
        47, 47, 47, 47, 47, 47, 47, 47, 47, 47, 44, 4, 0, 4, 0, 4,
        0, 47, 47, 47, 47, 47, 47, 47, 47, 47, 47, 47, 47, 47, 47, 47,
        47, 47, 47, 47, 47, 47, 47, 47, 47, 47, 47, 0, 0, 0, 0, 47,
        33, 47, 47, 47, 47, 47, 47, 47, 47, 47, 47, 47, 47, 47, 47, 47,
        47, 47, 47, 47, 47, 47, 47, 47, 47, 47, 47, 0, 0, 0, 45, 0,
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
        // Most runs (names, numbers, short hosts) end within a few bytes: a table loop. A run that
        // goes past 16 bytes (a branch, a Call-ID-like tag, a long host) finishes vectorized.
        var classes = Classes;
        var i = 0;
        var scalar = Math.Min(text.Length, 16);
        while (i < scalar && (classes[text[i]] & cls) != 0)
            i++;
        if (i < 16 || i == text.Length)
            return i;
        if (ValuesOf(cls) is { } values)
        {
            var n = text[i..].IndexOfAnyExcept(values);
            return n < 0 ? text.Length : i + n;
        }
        while (i < text.Length && (classes[text[i]] & cls) != 0)
            i++;
        return i;
    }

    private static readonly SearchValues<byte> TokenValues = ValuesFromTable(Token);
    private static readonly SearchValues<byte> HostValues = ValuesFromTable(Host);
    private static readonly SearchValues<byte> TokenOrColonValues = ValuesFromTable(TokenOrColon);
    private static readonly SearchValues<byte> QuickUserInfoValues = ValuesFromTable(QuickUserInfo);
    private static readonly SearchValues<byte> QuickUriParamValues = ValuesFromTable(QuickUriParam);

    private static SearchValues<byte>? ValuesOf(byte cls) => cls switch
    {
        Token => TokenValues,
        Host => HostValues,
        TokenOrColon => TokenOrColonValues,
        QuickUserInfo => QuickUserInfoValues,
        QuickUriParam => QuickUriParamValues,
        _ => null,
    };

    /// <summary>The bytes of one class, taken from the table so the two cannot disagree.</summary>
    private static SearchValues<byte> ValuesFromTable(byte cls)
    {
        var bytes = new List<byte>();
        for (var b = 0; b < 256; b++)
        {
            if ((Classes[b] & cls) != 0)
                bytes.Add((byte)b);
        }
        return SearchValues.Create(bytes.ToArray());
    }

    /// <summary>
    /// Whether token <paramref name="token"/> equals <paramref name="lower"/> (lower-case letters and
    /// '-', same length) ignoring case: OR-ing 0x20 into every byte folds the case of letters and
    /// maps no other token byte onto a letter or '-'. Compares two overlapping words, no loop.
    /// </summary>
    public static bool EqualsLowerCase(ReadOnlySpan<byte> token, ReadOnlySpan<byte> lower)
    {
        var n = token.Length;
        if (n != lower.Length)
            return false;
        if (n >= 8)
        {
            return (MemoryMarshal.Read<ulong>(token) | 0x2020202020202020UL) == MemoryMarshal.Read<ulong>(lower)
                && (MemoryMarshal.Read<ulong>(token[(n - 8)..]) | 0x2020202020202020UL) == MemoryMarshal.Read<ulong>(lower[(n - 8)..]);
        }
        if (n >= 4)
        {
            return (MemoryMarshal.Read<uint>(token) | 0x20202020U) == MemoryMarshal.Read<uint>(lower)
                && (MemoryMarshal.Read<uint>(token[(n - 4)..]) | 0x20202020U) == MemoryMarshal.Read<uint>(lower[(n - 4)..]);
        }
        if (n >= 2)
        {
            return (MemoryMarshal.Read<ushort>(token) | 0x2020) == MemoryMarshal.Read<ushort>(lower)
                && (token[n - 1] | 0x20) == lower[n - 1];
        }
        return n == 0 || (token[0] | 0x20) == lower[0];
    }

    /// <summary>Whether <paramref name="text"/> is non-empty and all of class <paramref name="cls"/>.</summary>
    public static bool IsAll(ReadOnlySpan<byte> text, byte cls) => !text.IsEmpty && RunLength(text, cls) == text.Length;
}
