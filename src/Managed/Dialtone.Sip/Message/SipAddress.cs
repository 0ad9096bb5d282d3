using System.Text;

namespace Dialtone.Sip.Message;

/// <summary>
/// A name-addr or addr-spec with header parameters, as in From, To, Contact, Route,
/// Record-Route, Reply-To, P-Asserted-Identity (RFC 3261 §20.10, §25.1). Immutable.
/// <see cref="DisplayName"/> is unquoted. A Contact of <c>*</c> is <see cref="IsWildcard"/>.
/// </summary>
public sealed record SipAddress
{
    public SipAddress(UriReference uri, string? displayName = null)
    {
        Uri = uri;
        DisplayName = displayName;
    }

    public UriReference Uri { get; init; }

    public string? DisplayName { get; init; }

    public SipParameters Parameters { get; init; } = SipParameters.Empty;

    /// <summary>The Contact <c>*</c> of an unregister-all REGISTER.</summary>
    public bool IsWildcard { get; private init; }

    public static SipAddress Wildcard { get; } = new(new OtherUri("*", "*")) { IsWildcard = true };

    /// <summary>The <c>tag</c> parameter (From/To), or null.</summary>
    public string? Tag => Parameters.Get("tag");

    /// <summary>The URI as a SIP URI, or null when it is tel: or another scheme.</summary>
    public SipUri? SipUri => Uri as SipUri;

    public SipAddress WithTag(string tag) => this with { Parameters = Parameters.With("tag", tag) };

    public SipAddress WithParameter(string name, string? value = null) => this with { Parameters = Parameters.With(name, value) };

    public static SipAddress Parse(string text) => Parse(text.AsSpan(), "address", 0);

    internal static SipAddress Parse(ReadOnlySpan<char> text, string what, int line) => Parse(text, what, line, build: true)!;

    /// <summary>Checks an address exactly as <see cref="Parse(ReadOnlySpan{char}, string, int)"/> does; a sip/sips URI without allocating.</summary>
    internal static void Validate(ReadOnlySpan<char> text, string what, int line) => Parse(text, what, line, build: false);

    private static SipAddress? Parse(ReadOnlySpan<char> text, string what, int line, bool build)
    {
        var s = new SipScanner(text, what, line);
        var result = ParseOne(ref s, build);
        s.SkipWhitespace();
        if (!s.AtEnd)
            throw s.Error($"unexpected '{s.Peek}' after the address");
        return result;
    }

    /// <summary>Parses one address; stops at a top-level ',' (left unconsumed) or the end.</summary>
    internal static SipAddress ParseOne(ref SipScanner s) => ParseOne(ref s, build: true)!;

    /// <summary>As <see cref="ParseOne(ref SipScanner)"/>; with <paramref name="build"/> false only checks (null result).</summary>
    internal static SipAddress? ParseOne(ref SipScanner s, bool build)
    {
        s.SkipWhitespace();
        if (s.Peek == '*')
        {
            s.Position++;
            var wildcardParams = SipParameters.Parse(ref s, ",", uriParameters: false, build);
            return build ? Wildcard with { Parameters = wildcardParams } : null;
        }
        string? display = null;
        if (s.Peek == '"')
        {
            var quoted = s.ReadQuotedRaw();
            display = build ? SipSyntax.Unquote(quoted) : null;
            s.SkipWhitespace();
            if (s.Peek != '<')
                throw s.Error("a quoted display name must be followed by <URI>");
        }
        else
        {
            // display-name as *(token LWS): a run of tokens and spaces directly followed by '<'.
            var rest = s.Rest;
            var run = 0;
            while (run < rest.Length && (SipSyntax.IsTokenChar(rest[run]) || rest[run] is ' ' or '\t'))
                run++;
            if (run < rest.Length && rest[run] == '<')
            {
                var raw = rest[..run].Trim(" \t");
                display = raw.IsEmpty || !build ? null : raw.ToString();
                s.Position += run;
            }
        }
        UriReference? uri;
        if (s.Peek == '<')
        {
            s.Position++;
            var close = s.Rest.IndexOf('>');
            if (close < 0)
                throw s.Error("missing '>' after the URI");
            uri = ParseUri(ref s, s.Rest[..close], build);
            s.Position += close + 1;
        }
        else
        {
            // addr-spec: the URI cannot carry ';' parameters, so they belong to the header (§20.10).
            var rest = s.Rest;
            var end = rest.IndexOfAny(" \t,");
            if (end < 0)
                end = rest.Length;
            var at = rest[..end].IndexOf('@');
            var semi = rest[(at < 0 ? 0 : at)..end].IndexOf(';');
            if (semi >= 0)
                end = (at < 0 ? 0 : at) + semi;
            if (end == 0)
                throw s.Error("missing URI");
            uri = ParseUri(ref s, rest[..end], build);
            s.Position += end;
        }
        var parameters = SipParameters.Parse(ref s, ",", uriParameters: false, build);
        return build ? new SipAddress(uri!, display) { Parameters = parameters } : null;
    }

    private static UriReference? ParseUri(ref SipScanner s, ReadOnlySpan<char> uriText, bool build)
    {
        try
        {
            if (build)
                return UriReference.Parse(uriText, "URI", 0);
            UriReference.Validate(uriText, "URI", 0);
            return null;
        }
        catch (SipParseException e)
        {
            throw s.Error(e.Reason);
        }
    }

    public override string ToString()
    {
        if (IsWildcard)
            return "*" + Parameters;
        var sb = new StringBuilder(96);
        if (DisplayName is not null)
            sb.Append(SipSyntax.Quote(DisplayName)).Append(' ');
        sb.Append('<').Append(Uri).Append('>');
        Parameters.AppendTo(sb);
        return sb.ToString();
    }
}
