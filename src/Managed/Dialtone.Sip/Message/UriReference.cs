namespace Dialtone.Sip.Message;

/// <summary>
/// Any URI SIP carries in a Request-URI or a name-addr: <see cref="SipUri"/> (sip:/sips:),
/// <see cref="TelUri"/> (tel:, RFC 3966) or <see cref="OtherUri"/> (any other absoluteURI, kept as text).
/// </summary>
public abstract record UriReference
{
    /// <summary>The scheme in lower case, e.g. "sip", "sips", "tel".</summary>
    public abstract string Scheme { get; }

    /// <summary>Parses any absolute URI; throws <see cref="SipParseException"/> when it is malformed.</summary>
    public static UriReference Parse(string text) => Parse(text.AsSpan(), "URI", 0);

    /// <summary>Checks a URI as <see cref="Parse(ReadOnlySpan{char}, string, int)"/> does; a sip/sips URI without allocating.</summary>
    internal static void Validate(ReadOnlySpan<char> text, string what, int line)
    {
        var colon = text.IndexOf(':');
        if (colon > 0 && (text[..colon].Equals("sip", StringComparison.OrdinalIgnoreCase) || text[..colon].Equals("sips", StringComparison.OrdinalIgnoreCase)))
            SipUri.Validate(text, what, line);
        else
            Parse(text, what, line);
    }

    internal static UriReference Parse(ReadOnlySpan<char> text, string what, int line)
    {
        var colon = text.IndexOf(':');
        if (colon <= 0)
            throw new SipParseException($"{what}: URI '{Shorten(text)}' has no scheme", line, 0);
        var scheme = text[..colon];
        if (scheme.Equals("sip", StringComparison.OrdinalIgnoreCase) || scheme.Equals("sips", StringComparison.OrdinalIgnoreCase))
            return SipUri.Parse(text, what, line);
        if (scheme.Equals("tel", StringComparison.OrdinalIgnoreCase))
            return TelUri.Parse(text, what, line);
        if (!char.IsAsciiLetter(scheme[0]) || scheme.ContainsAnyExcept(SchemeChars))
            throw new SipParseException($"{what}: invalid URI scheme '{Shorten(scheme)}'", line, 0);
        var rest = text[(colon + 1)..];
        if (rest.IsEmpty || rest.ContainsAny(" \t\r\n<>\""))
            throw new SipParseException($"{what}: invalid {scheme} URI", line, colon + 1);
        return new OtherUri(scheme.ToString().ToLowerInvariant(), text.ToString());
    }

    private static readonly System.Buffers.SearchValues<char> SchemeChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");

    internal static string Shorten(ReadOnlySpan<char> s) => s.Length <= 40 ? s.ToString() : s[..40].ToString() + "…";
}

/// <summary>An absolute URI with a scheme SIP does not interpret (http:, urn:, mailto:…), kept as written.</summary>
public sealed record OtherUri(string SchemeName, string Text) : UriReference
{
    public override string Scheme => SchemeName;

    public override string ToString() => Text;
}
