using System.Text;

namespace Dialtone.Sip.Message;

/// <summary>A Content-Type media type (RFC 3261 §20.15) with parameters such as <c>boundary</c>.</summary>
public sealed record SipContentType(string Type, string SubType)
{
    public static SipContentType Sdp { get; } = new("application", "sdp");

    public SipParameters Parameters { get; init; } = SipParameters.Empty;

    public string MediaType => $"{Type}/{SubType}";

    public bool IsMultipart => Type.Equals("multipart", StringComparison.OrdinalIgnoreCase);

    public string? Boundary => Parameters.GetUnquoted("boundary");

    public bool Is(string type, string subType) =>
        Type.Equals(type, StringComparison.OrdinalIgnoreCase) && SubType.Equals(subType, StringComparison.OrdinalIgnoreCase);

    public static SipContentType Parse(string text) => Parse(text.AsSpan(), "Content-Type", 0);

    internal static SipContentType Parse(ReadOnlySpan<char> text, string what, int line) => Parse(text, what, line, build: true)!;

    /// <summary>Checks a Content-Type value exactly as <see cref="Parse(ReadOnlySpan{char}, string, int)"/> does, allocating nothing.</summary>
    internal static void Validate(ReadOnlySpan<char> text, string what, int line) => Parse(text, what, line, build: false);

    private static SipContentType? Parse(ReadOnlySpan<char> text, string what, int line, bool build)
    {
        var s = new SipScanner(text, what, line);
        s.SkipWhitespace();
        var type = s.ReadToken("media type");
        s.Expect('/');
        var sub = s.ReadToken("media subtype");
        var parameters = SipParameters.Parse(ref s, "", uriParameters: false, build);
        s.SkipWhitespace();
        if (!s.AtEnd)
            throw s.Error($"unexpected '{s.Peek}'");
        if (!build)
            return null;
        return new SipContentType(type.ToString(), sub.ToString()) { Parameters = parameters };
    }

    public override string ToString()
    {
        var sb = new StringBuilder().Append(Type).Append('/').Append(SubType);
        Parameters.AppendTo(sb);
        return sb.ToString();
    }
}
