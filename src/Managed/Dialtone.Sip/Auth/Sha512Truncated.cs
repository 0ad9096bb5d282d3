using System.Buffers.Binary;
using System.Numerics;

namespace Dialtone.Sip.Auth;

/// <summary>
/// SHA-512/256 (FIPS 180-4 §5.3.6.2, §6.7), which .NET does not offer, for the SHA-512-256 digest
/// algorithm of RFC 7616 / RFC 8760. The round constants and initial values are derived at start-up
/// from their definitions (fractional parts of square and cube roots of primes, and the SHA-512/t
/// IV generation function) rather than typed in; the compression function is checked against
/// .NET's SHA-512 in the tests.
/// </summary>
internal static class Sha512Truncated
{
    private static readonly ulong[] K = RootFractions(80, 3);

    /// <summary>SHA-512's own initial hash value H(0) (§5.3.5).</summary>
    internal static readonly ulong[] Sha512Iv = RootFractions(8, 2);

    private static readonly ulong[] Sha512_256Iv = TruncatedIv("SHA-512/256");

    /// <summary>SHA-512/256 of <paramref name="data"/>: 32 bytes.</summary>
    public static byte[] HashData256(ReadOnlySpan<byte> data) => Hash(data, Sha512_256Iv, 32);

    /// <summary>SHA-512 compression over padded <paramref name="data"/> from <paramref name="iv"/>, truncated to <paramref name="outputBytes"/>.</summary>
    internal static byte[] Hash(ReadOnlySpan<byte> data, ulong[] iv, int outputBytes)
    {
        var h = (ulong[])iv.Clone();
        var w = new ulong[80];
        var full = data.Length / 128;
        for (var i = 0; i < full; i++)
            Compress(h, data.Slice(i * 128, 128), w);
        // Padding (§5.1.2): 0x80, zeros, 128-bit big-endian bit length; one or two final blocks.
        Span<byte> tail = stackalloc byte[256];
        tail.Clear();
        var rest = data[(full * 128)..];
        rest.CopyTo(tail);
        tail[rest.Length] = 0x80;
        var tailLength = rest.Length + 1 + 16 <= 128 ? 128 : 256;
        var bits = (UInt128)(ulong)data.Length * 8;
        BinaryPrimitives.WriteUInt128BigEndian(tail.Slice(tailLength - 16, 16), bits);
        for (var offset = 0; offset < tailLength; offset += 128)
            Compress(h, tail.Slice(offset, 128), w);
        var output = new byte[64];
        for (var i = 0; i < 8; i++)
            BinaryPrimitives.WriteUInt64BigEndian(output.AsSpan(i * 8), h[i]);
        return output[..outputBytes];
    }

    private static void Compress(ulong[] h, ReadOnlySpan<byte> block, ulong[] w)
    {
        for (var t = 0; t < 16; t++)
            w[t] = BinaryPrimitives.ReadUInt64BigEndian(block[(t * 8)..]);
        for (var t = 16; t < 80; t++)
        {
            var s0 = BitOperations.RotateRight(w[t - 15], 1) ^ BitOperations.RotateRight(w[t - 15], 8) ^ (w[t - 15] >> 7);
            var s1 = BitOperations.RotateRight(w[t - 2], 19) ^ BitOperations.RotateRight(w[t - 2], 61) ^ (w[t - 2] >> 6);
            w[t] = s1 + w[t - 7] + s0 + w[t - 16];
        }
        ulong a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
        for (var t = 0; t < 80; t++)
        {
            var sigma1 = BitOperations.RotateRight(e, 14) ^ BitOperations.RotateRight(e, 18) ^ BitOperations.RotateRight(e, 41);
            var choose = (e & f) ^ (~e & g);
            var t1 = hh + sigma1 + choose + K[t] + w[t];
            var sigma0 = BitOperations.RotateRight(a, 28) ^ BitOperations.RotateRight(a, 34) ^ BitOperations.RotateRight(a, 39);
            var majority = (a & b) ^ (a & c) ^ (b & c);
            var t2 = sigma0 + majority;
            hh = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
        h[5] += f;
        h[6] += g;
        h[7] += hh;
    }

    /// <summary>The SHA-512/t IV generation function (§5.3.6): SHA-512 of "SHA-512/t" from H(0) XOR a5a5….</summary>
    private static ulong[] TruncatedIv(string name)
    {
        var iv = Sha512Iv.Select(v => v ^ 0xa5a5a5a5a5a5a5a5UL).ToArray();
        var digest = Hash(System.Text.Encoding.ASCII.GetBytes(name), iv, 64);
        var result = new ulong[8];
        for (var i = 0; i < 8; i++)
            result[i] = BinaryPrimitives.ReadUInt64BigEndian(digest.AsSpan(i * 8));
        return result;
    }

    /// <summary>First 64 bits of the fractional parts of the <paramref name="degree"/>-th roots of the first <paramref name="count"/> primes.</summary>
    private static ulong[] RootFractions(int count, int degree)
    {
        var result = new ulong[count];
        var found = 0;
        for (var candidate = 2; found < count; candidate++)
        {
            if (!IsPrime(candidate))
                continue;
            // floor(p^(1/k) * 2^64) = integer k-th root of p * 2^(64k); its low 64 bits are the fraction.
            var root = IntegerRoot(new BigInteger(candidate) << (64 * degree), degree);
            result[found++] = (ulong)(root & ulong.MaxValue);
        }
        return result;
    }

    private static bool IsPrime(int n)
    {
        for (var d = 2; d * d <= n; d++)
        {
            if (n % d == 0)
                return false;
        }
        return true;
    }

    private static BigInteger IntegerRoot(BigInteger value, int degree)
    {
        BigInteger low = 0, high = BigInteger.One << (int)((value.GetBitLength() / degree) + 2);
        while (low < high)
        {
            var mid = (low + high + 1) >> 1;
            if (BigInteger.Pow(mid, degree) <= value)
                low = mid;
            else
                high = mid - 1;
        }
        return low;
    }
}
