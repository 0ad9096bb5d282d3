using System.Text;

namespace Dialtone.Sip.Message;

/// <summary>
/// A <c>tel:</c> URI (RFC 3966): a global (<c>+…</c>) or local number with parameters such as
/// <c>phone-context</c>, <c>ext</c> or <c>isub</c>. Visual separators (<c>-.()</c>) are kept as written.
/// </summary>
public sealed record TelUri(string Number) : UriReference
{
    public override string Scheme => "tel";

    public SipParameters Parameters { get; init; } = SipParameters.Empty;

    public bool IsGlobal => Number.StartsWith('+');

    /// <summary>The number without visual separators, e.g. "+12015550123".</summary>
    public string Digits => string.Concat(Number.Where(c => c is not ('-' or '.' or '(' or ')')));

    public string? PhoneContext => Parameters.Get("phone-context");

    internal static new TelUri Parse(ReadOnlySpan<char> text, string what, int line)
    {
        var s = new SipScanner(text, what, line) { Position = 4 };
        var start = s.Position;
        if (s.Peek == '+')
            s.Position++;
        while (!s.AtEnd && (char.IsAsciiHexDigit(s.Peek) || s.Peek is '-' or '.' or '(' or ')' or '*' or '#' or 'p' or 'w'))
            s.Position++;
        var number = s.Slice(start, s.Position);
        if (number.Length == 0 || number is "+")
            throw s.Error("tel URI has no number");
        var parameters = SipParameters.Parse(ref s, "", uriParameters: true);
        if (!s.AtEnd)
            throw s.Error($"unexpected '{s.Peek}' in tel URI");
        if (!number.StartsWith('+') && parameters.Get("phone-context") is null)
            throw new SipParseException($"{what}: a local tel number needs a phone-context parameter (RFC 3966 §5.1.5)", line, 4);
        return new TelUri(number.ToString()) { Parameters = parameters };
    }

    public override string ToString()
    {
        var sb = new StringBuilder("tel:").Append(Number);
        Parameters.AppendTo(sb);
        return sb.ToString();
    }
}
