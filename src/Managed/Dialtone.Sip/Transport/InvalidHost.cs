using System.Security.Cryptography;

namespace Dialtone.Sip.Transport;

/// <summary>
/// Random <c>xxxxxxxx.invalid</c> host names for Via and Contact when the client has no address a
/// peer could reach (RFC 7118 §5.2, the <c>.invalid</c> TLD of RFC 2606).
/// </summary>
public static class InvalidHost
{
    public static string Create()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        Span<char> label = stackalloc char[12];
        for (var i = 0; i < label.Length; i++)
            label[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        return string.Concat(label, ".invalid");
    }
}
