using Dialtone.Sip.Message;

namespace Dialtone.Sip.Auth;

/// <summary>
/// A Digest challenge from WWW-Authenticate (401) or Proxy-Authenticate (407), RFC 2617 §3.2.1 /
/// RFC 7616 §3.3. <see cref="Algorithm"/> is null when the server asked for one we do not support.
/// </summary>
public sealed record DigestChallenge
{
    public required string Realm { get; init; }

    public required string Nonce { get; init; }

    public string? Opaque { get; init; }

    /// <summary>The algorithm token as sent (absent means MD5).</summary>
    public string? AlgorithmToken { get; init; }

    public DigestAlgorithm? Algorithm => DigestAlgorithms.Parse(AlgorithmToken);

    /// <summary>Offered qop values (lower case); empty for the RFC 2069 compatible form.</summary>
    public IReadOnlyList<string> Qop { get; init; } = [];

    public bool Stale { get; init; }

    /// <summary>RFC 7616 §3.4.4: the server wants the username hashed (with the realm) in the answer.</summary>
    public bool UserHash { get; init; }

    /// <summary>True for a 407 (answer with Proxy-Authorization).</summary>
    public bool IsProxy { get; init; }

    /// <summary>Parses one challenge value; throws <see cref="SipParseException"/> if malformed or not Digest.</summary>
    public static DigestChallenge Parse(string value, bool isProxy = false)
    {
        var parameters = AuthParameterParser.Parse(value, isProxy ? SipHeaderNames.ProxyAuthenticate : SipHeaderNames.WwwAuthenticate, out var scheme);
        if (!scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase))
            throw new SipParseException($"authentication scheme '{scheme}' is not Digest");
        string Required(string name) => parameters.TryGetValue(name, out var v) ? v : throw new SipParseException($"Digest challenge has no {name}");
        return new DigestChallenge
        {
            Realm = Required("realm"),
            Nonce = Required("nonce"),
            Opaque = parameters.GetValueOrDefault("opaque"),
            AlgorithmToken = parameters.GetValueOrDefault("algorithm"),
            Qop = parameters.TryGetValue("qop", out var qop)
                ? qop.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(q => q.ToLowerInvariant()).ToArray()
                : [],
            Stale = string.Equals(parameters.GetValueOrDefault("stale"), "true", StringComparison.OrdinalIgnoreCase),
            UserHash = string.Equals(parameters.GetValueOrDefault("userhash"), "true", StringComparison.OrdinalIgnoreCase),
            IsProxy = isProxy,
        };
    }

    /// <summary>All Digest challenges of a 401/407 response, skipping other schemes and malformed ones.</summary>
    public static IReadOnlyList<DigestChallenge> FromResponse(SipResponse response)
    {
        var isProxy = response.StatusCode == 407;
        var list = new List<DigestChallenge>();
        foreach (var h in response.Headers.All(isProxy ? SipHeaderNames.ProxyAuthenticate : SipHeaderNames.WwwAuthenticate))
        {
            try
            {
                list.Add(Parse(h.Value, isProxy));
            }
            catch (SipParseException)
            {
                // A Basic or broken challenge next to a good Digest one must not hide it.
            }
        }
        return list;
    }
}

/// <summary>Parses <c>scheme name=value, name="quoted", …</c> (RFC 7235 auth-param lists).</summary>
internal static class AuthParameterParser
{
    public static Dictionary<string, string> Parse(string value, string what, out string scheme)
    {
        var s = new SipScanner(value, what);
        s.SkipWhitespace();
        scheme = s.ReadToken("authentication scheme").ToString();
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        s.SkipWhitespace();
        if (s.AtEnd)
            return result;
        do
        {
            s.SkipWhitespace();
            var name = s.ReadToken("parameter name").ToString();
            s.Expect('=');
            var v = s.Peek == '"' ? SipSyntax.Unquote(s.ReadQuotedRaw()) : s.ReadToken($"value of {name}").ToString();
            result[name] = v;
            s.SkipWhitespace();
        }
        while (s.TryConsume(','));
        if (!s.AtEnd)
            throw s.Error($"unexpected '{s.Peek}'");
        return result;
    }
}
