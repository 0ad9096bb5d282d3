using System.Security.Cryptography;
using System.Text;

namespace Dialtone.Sip.Auth;

/// <summary>Digest algorithms we can answer (RFC 7616 §3.3, RFC 8760), strongest last.</summary>
public enum DigestAlgorithm
{
    Md5,
    Md5Sess,
    Sha256,
    Sha256Sess,
    Sha512_256,
    Sha512_256Sess,
}

internal static class DigestAlgorithms
{
    /// <summary>Maps the challenge's algorithm token (absent means MD5); null when unsupported (e.g. SHA-512-256).</summary>
    public static DigestAlgorithm? Parse(string? token) => token?.ToUpperInvariant() switch
    {
        null or "MD5" => DigestAlgorithm.Md5,
        "MD5-SESS" => DigestAlgorithm.Md5Sess,
        "SHA-256" => DigestAlgorithm.Sha256,
        "SHA-256-SESS" => DigestAlgorithm.Sha256Sess,
        "SHA-512-256" => DigestAlgorithm.Sha512_256,
        "SHA-512-256-SESS" => DigestAlgorithm.Sha512_256Sess,
        _ => null,
    };

    public static string Token(this DigestAlgorithm a) => a switch
    {
        DigestAlgorithm.Md5 => "MD5",
        DigestAlgorithm.Md5Sess => "MD5-sess",
        DigestAlgorithm.Sha256 => "SHA-256",
        DigestAlgorithm.Sha256Sess => "SHA-256-sess",
        DigestAlgorithm.Sha512_256 => "SHA-512-256",
        DigestAlgorithm.Sha512_256Sess => "SHA-512-256-sess",
        _ => throw new ArgumentOutOfRangeException(nameof(a)),
    };

    public static bool IsSession(this DigestAlgorithm a) => a is DigestAlgorithm.Md5Sess or DigestAlgorithm.Sha256Sess or DigestAlgorithm.Sha512_256Sess;

    /// <summary>Lower-case hex of the hash of <paramref name="text"/> (UTF-8).</summary>
    public static string Hash(this DigestAlgorithm a, string text) => a.Hash(Encoding.UTF8.GetBytes(text));

    public static string Hash(this DigestAlgorithm a, ReadOnlySpan<byte> data) => a switch
    {
#pragma warning disable CA5351 // MD5 is what RFC 2617 digest requires; it is not used for anything else.
        DigestAlgorithm.Md5 or DigestAlgorithm.Md5Sess => Convert.ToHexStringLower(MD5.HashData(data)),
#pragma warning restore CA5351
        DigestAlgorithm.Sha256 or DigestAlgorithm.Sha256Sess => Convert.ToHexStringLower(SHA256.HashData(data)),
        _ => Convert.ToHexStringLower(Sha512Truncated.HashData256(data)),
    };
}
