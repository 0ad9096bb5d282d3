using System.Security.Cryptography;
using Dialtone.Bindings;

namespace Dialtone.WebRtc.Rtp;

/// <summary>SRTP crypto suites offered with SDES (RFC 4568).</summary>
public enum SrtpSuite
{
    /// <summary>AES counter mode, 128-bit key, 80-bit HMAC-SHA1 tag.</summary>
    AesCm128HmacSha1_80 = (int)DtSrtpSuite.AesCm128HmacSha180,

    /// <summary>The same with a 32-bit tag on RTP (RTCP keeps 80 bits).</summary>
    AesCm128HmacSha1_32 = (int)DtSrtpSuite.AesCm128HmacSha132,
}

/// <summary>
/// An SRTP master key and salt (16 + 14 bytes) for one direction, as an SDES a=crypto line carries
/// it base64-encoded. The key material is never included in <see cref="ToString"/>.
/// </summary>
public sealed class SrtpKey
{
    public const int KeyAndSaltLength = 30;
    private readonly byte[] keyAndSalt;

    public SrtpKey(SrtpSuite suite, ReadOnlySpan<byte> keyAndSalt)
    {
        if (!Enum.IsDefined(suite))
        {
            throw new ArgumentOutOfRangeException(nameof(suite), suite, "unknown SRTP suite");
        }

        if (keyAndSalt.Length != KeyAndSaltLength)
        {
            throw new ArgumentException($"An AES_CM_128 master key and salt is {KeyAndSaltLength} bytes, not {keyAndSalt.Length}.", nameof(keyAndSalt));
        }

        Suite = suite;
        this.keyAndSalt = keyAndSalt.ToArray();
    }

    public SrtpSuite Suite { get; }

    public ReadOnlySpan<byte> KeyAndSalt => keyAndSalt;

    /// <summary>A fresh random key from the OS's cryptographic generator.</summary>
    public static SrtpKey Generate(SrtpSuite suite) => new(suite, RandomNumberGenerator.GetBytes(KeyAndSaltLength));

    /// <summary>The key from an a=crypto <c>inline:</c> value (base64 of key and salt).</summary>
    public static SrtpKey FromBase64(SrtpSuite suite, string base64)
    {
        ArgumentNullException.ThrowIfNull(base64);
        Span<byte> bytes = stackalloc byte[64];
        if (!Convert.TryFromBase64String(base64, bytes, out int written) || written != KeyAndSaltLength)
        {
            throw new FormatException($"An SDES inline key must be base64 of {KeyAndSaltLength} bytes.");
        }

        return new SrtpKey(suite, bytes[..written]);
    }

    public string ToBase64() => Convert.ToBase64String(keyAndSalt);

    public override string ToString() => $"{Suite} key (hidden)";
}
