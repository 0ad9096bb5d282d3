using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Dialtone.Sip.Message;

/// <summary>
/// Byte classes of the RFC 3261 §25 grammar as one 256-entry table, so the byte scanners (the
/// parser's header scan, the zero-copy views) classify a byte with one load, and a run of them
/// 16 bytes at a time (<see cref="RunLength"/>).
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

    /// <summary>The length of the run of bytes of class <paramref name="cls"/> (one class bit or several) at the start of <paramref name="text"/>.</summary>
    public static int RunLength(ReadOnlySpan<byte> text, byte cls)
    {
        // A byte loop costs a load, a test and a branch per byte, and its exit depends on the data
        // (names, hosts, tags: dozens of runs per message). 16 bytes at a time, the end is one bit scan.
        if (text.Length < Vector128<byte>.Count || !Vector128.IsHardwareAccelerated)
        {
            var classes = Classes;
            var n = 0;
            while (n < text.Length && (classes[text[n]] & cls) != 0)
                n++;
            return n;
        }
        var table = LowNibbleTable(cls);
        var i = 0;
        for (; i <= text.Length - Vector128<byte>.Count; i += Vector128<byte>.Count)
        {
            var stops = NonMembers(Vector128.Create(text.Slice(i, Vector128<byte>.Count)), table);
            if (stops != 0)
                return i + BitOperations.TrailingZeroCount(stops);
        }
        if (i == text.Length)
            return i;
        // The partial last block: the final 16 bytes, shifted so that bit 0 is byte i.
        var tail = NonMembers(Vector128.Create(text[^Vector128<byte>.Count..]), table) >> (Vector128<byte>.Count - (text.Length - i));
        return tail != 0 ? i + BitOperations.TrailingZeroCount(tail) : text.Length;
    }

    /// <summary>
    /// A bit per byte of <paramref name="v"/> that is not in the class whose table is
    /// <paramref name="lowNibbleTable"/>: two 16-entry lookups (PSHUFB on x86, TBL on Arm), one by
    /// each nibble, whose AND is non-zero exactly for members.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint NonMembers(Vector128<byte> v, Vector128<byte> lowNibbleTable)
    {
        var low = Vector128.ShuffleNative(lowNibbleTable, v & Vector128.Create((byte)0x0F));
        var high = Vector128.ShuffleNative(HighNibbleBits, Vector128.ShiftRightLogical(v, 4));
        return Vector128.Equals(low & high, Vector128<byte>.Zero).ExtractMostSignificantBits();
    }

    /// <summary>Bit h for high nibble h &lt; 8; none for the non-ASCII half (which is in no class).</summary>
    private static readonly Vector128<byte> HighNibbleBits = Vector128.Create((byte)1, 2, 4, 8, 16, 32, 64, 128, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>
    /// For every combination of class bits, 16 bytes indexed by a byte's low nibble: bit h is set
    /// when the byte (h &lt;&lt; 4 | low) is in the class. Derived from <see cref="Classes"/>, so the
    /// two cannot disagree.
    /// </summary>
    private static readonly byte[] LowNibbleTables = BuildLowNibbleTables();

    private const int ClassCombinations = 64; // six class bits

    private static Vector128<byte> LowNibbleTable(byte cls) => Vector128.Create(LowNibbleTables.AsSpan(cls * 16, 16));

    private static byte[] BuildLowNibbleTables()
    {
        var tables = new byte[ClassCombinations * 16];
        for (var cls = 0; cls < ClassCombinations; cls++)
        {
            for (var b = 0; b < 128; b++)
            {
                if ((Classes[b] & cls) != 0)
                    tables[cls * 16 + (b & 0x0F)] |= (byte)(1 << (b >> 4));
            }
        }
        return tables;
    }

    /// <summary>
    /// Whether token <paramref name="token"/> equals <paramref name="lower"/> (lower-case letters and
    /// '-', same length) ignoring case: OR-ing 0x20 into every byte folds the case of letters and
    /// maps no other token byte onto a letter or '-'. Compares two overlapping words, no loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // callers pass a constant: its length check folds away
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
