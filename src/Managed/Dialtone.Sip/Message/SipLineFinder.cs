using System.Numerics;
using System.Runtime.Intrinsics;

namespace Dialtone.Sip.Message;

/// <summary>
/// The parser's first pass over a message: one vectorized read of the header section that finds
/// the end of every line, proves the lines plain enough for the quick scan, tells whether the
/// section is all ASCII, and stops at the empty line that ends it — so the section is read once,
/// instead of once to find its end and again for its lines.
/// </summary>
internal static class SipLineFinder
{
    /// <summary>Lines found on the stack; a longer header section takes the exact scan.</summary>
    public const int Capacity = 128;

    private const int ChunkBytes = 32;

    /// <summary>
    /// Writes the offset of the LF of every line of the header section at the start of
    /// <paramref name="data"/> (the start line included, the empty line not) into
    /// <paramref name="positions"/> and returns how many. <paramref name="end"/> is the offset of
    /// the CRLF CRLF that ends the section, as <c>IndexOf("\r\n\r\n")</c> finds it, or -1 when the
    /// data ends first (a header block cut before its empty line). Returns -1 when a byte before
    /// the end needs the exact scan: a control character other than HTAB (RFC 3261 §25.1 allows
    /// some inside quoted strings; the exact scan judges), a CR not followed by LF, an LF not
    /// preceded by CR, or more lines than <paramref name="positions"/> holds. When it succeeds,
    /// <paramref name="ascii"/> says whether every byte of the section is ASCII (then it is valid UTF-8).
    /// </summary>
    public static int Find(ReadOnlySpan<byte> data, Span<int> positions, out bool ascii, out int end)
    {
        ascii = false;
        end = -1;
        uint high = 0;
        var afterCr = 0u; // 1 when the byte before the chunk was CR
        var lfBefore = 0u; // LFs among the two bytes before the chunk (bit 0: two back, bit 1: one back)
        int count = 0, i = 0;
        // Whole chunks of plain lines in bulk. A chunk with anything else — a control byte, a lone
        // CR or LF, the empty line (an LF two bytes after an LF), too many lines — is left to the
        // byte loop below, which judges it and stops at the end of the section.
        for (; i + ChunkBytes <= data.Length; i += ChunkBytes)
        {
            var (lf, cr, bad, top) = Masks(data.Slice(i, ChunkBytes));
            if (bad != 0 || ((cr << 1) | afterCr) != lf || (lf & ((lf << 2) | lfBefore)) != 0
                || count + BitOperations.PopCount(lf) > positions.Length)
                break;
            afterCr = cr >> (ChunkBytes - 1);
            lfBefore = lf >> (ChunkBytes - 2);
            high |= top;
            for (; lf != 0; lf &= lf - 1)
                positions[count++] = i + BitOperations.TrailingZeroCount(lf);
        }
        for (; i < data.Length; i++)
        {
            var b = data[i];
            if (b == '\n')
            {
                if (afterCr == 0)
                    return -1;
                if (count > 0 && positions[count - 1] == i - 2)
                {
                    end = i - 3;
                    ascii = high == 0;
                    return count;
                }
                if (count == positions.Length)
                    return -1;
                positions[count++] = i;
                afterCr = 0;
            }
            else if (afterCr != 0 || (b < 0x20 && b is not ((byte)'\r' or (byte)'\t')) || b == 0x7f)
            {
                return -1;
            }
            else
            {
                afterCr = b == '\r' ? 1u : 0u;
                high |= b & 0x80u;
            }
        }
        ascii = high == 0;
        return afterCr == 0 ? count : -1;
    }

    /// <summary>
    /// A bit per byte of a 32-byte chunk: LF, CR, a control byte the quick scan refuses (below 0x20
    /// but HTAB, CR, LF; or DEL), and non-ASCII. One 256-bit vector where the hardware has it
    /// (measured on x64: two 128-bit halves make the pass about 1.4 times slower), else two
    /// 16-byte halves (Arm64).
    /// </summary>
    private static (uint Lf, uint Cr, uint Bad, uint High) Masks(ReadOnlySpan<byte> chunk)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            var v = Vector256.Create(chunk);
            var lf = Vector256.Equals(v, Vector256.Create((byte)'\n'));
            var cr = Vector256.Equals(v, Vector256.Create((byte)'\r'));
            var bad = (Vector256.LessThan(v, Vector256.Create((byte)0x20)) & ~(lf | cr | Vector256.Equals(v, Vector256.Create((byte)'\t'))))
                | Vector256.Equals(v, Vector256.Create((byte)0x7f));
            return (lf.ExtractMostSignificantBits(), cr.ExtractMostSignificantBits(), bad.ExtractMostSignificantBits(), v.ExtractMostSignificantBits());
        }
        var (lf0, cr0, bad0, high0) = Masks(Vector128.Create(chunk[..16]));
        var (lf1, cr1, bad1, high1) = Masks(Vector128.Create(chunk[16..]));
        return (lf0 | lf1 << 16, cr0 | cr1 << 16, bad0 | bad1, high0 | high1);
    }

    private static (uint Lf, uint Cr, uint Bad, uint High) Masks(Vector128<byte> v)
    {
        var lf = Vector128.Equals(v, Vector128.Create((byte)'\n'));
        var cr = Vector128.Equals(v, Vector128.Create((byte)'\r'));
        var bad = (Vector128.LessThan(v, Vector128.Create((byte)0x20)) & ~(lf | cr | Vector128.Equals(v, Vector128.Create((byte)'\t'))))
            | Vector128.Equals(v, Vector128.Create((byte)0x7f));
        return (lf.ExtractMostSignificantBits(), cr.ExtractMostSignificantBits(), bad.ExtractMostSignificantBits(), v.ExtractMostSignificantBits());
    }
}
