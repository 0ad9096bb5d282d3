using System.Text;
using System.Text.RegularExpressions;

namespace Dialtone.Sip.Stack;

/// <summary>
/// Makes a message safe for the Debug trace: the credentials of Authorization and
/// Proxy-Authorization lines (a digest response is as good as the password for a replay, a bearer
/// token is the credential itself) are replaced; the scheme, username and realm stay, as they
/// are what one needs to debug a login.
/// </summary>
internal static partial class TraceRedaction
{
    private const string Redacted = "<redacted>";

    public static string ForTrace(ReadOnlySpan<byte> message)
    {
        var text = Encoding.UTF8.GetString(message);
        return text.Contains("Authorization", StringComparison.OrdinalIgnoreCase) ? CredentialLine().Replace(text, Redact) : text;
    }

    private static string Redact(Match m)
    {
        var value = m.Groups["value"].Value;
        var space = value.IndexOfAny([' ', '\t']);
        var scheme = space < 0 ? value : value[..space];
        if (!scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase))
            return $"{m.Groups["name"].Value}{scheme} {Redacted}";
        var kept = DigestParameter().Matches(value[space..])
            .Where(p => p.Groups["key"].Value.ToLowerInvariant() is "username" or "realm" or "algorithm" or "qop")
            .Select(p => p.Value.Trim(' ', '\t', ','));
        return $"{m.Groups["name"].Value}{scheme} {string.Join(", ", kept.Append($"response={Redacted}"))}";
    }

    /// <summary>A whole header line (with folded continuation lines) whose name is Authorization or Proxy-Authorization.</summary>
    [GeneratedRegex(@"^(?<name>(?:Proxy-)?Authorization[ \t]*:[ \t]*)(?<value>[^\r\n]*(?:\r\n[ \t]+[^\r\n]*)*)", RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex CredentialLine();

    [GeneratedRegex(@"[ \t,]*(?<key>[A-Za-z0-9_-]+)[ \t]*=[ \t]*(?:""(?:[^""\\]|\\.)*""|[^,\s]*)", RegexOptions.CultureInvariant)]
    private static partial Regex DigestParameter();
}
