using System.Security.Cryptography;

namespace Dialtone.Sip.Stack;

/// <summary>
/// Random identifiers: branches with the RFC 3261 magic cookie (§8.1.1.7), tags (§19.3, at least
/// 32 bits of randomness) and Call-IDs (§8.1.1.4). Cryptographically random so they are unguessable.
/// </summary>
public static class SipIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static string NewBranch() => "z9hG4bK" + Random(16);

    public static string NewTag() => Random(10);

    public static string NewCallId() => Random(22);

    public static string NewCallId(string host) => Random(22) + "@" + host;

    private static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);
}
