using System.Buffers;
using System.Text;

namespace Dialtone.Sip.Message;

/// <summary>
/// The first address of a From, To or Contact value (name-addr or addr-spec with header
/// parameters), read in place from the message's UTF-8 bytes without allocating: the URI text,
/// the display name as written and the tag. The spans point into the message's buffer (a ref
/// struct cannot be stored); for the parsed URI and all parameters use <see cref="SipAddress"/>.
/// </summary>
public readonly ref struct SipAddressView
{
    private static readonly SearchValues<byte> NotInUri = SearchValues.Create(" \t\r\n<>\""u8);

    /// <summary>The URI as written (without the angle brackets).</summary>
    public ReadOnlySpan<byte> Uri { get; private init; }

    /// <summary>The display name as written (quotes kept when quoted), empty when there is none.</summary>
    public ReadOnlySpan<byte> DisplayName { get; private init; }

    /// <summary>The tag parameter's value (empty when absent; see <see cref="HasTag"/>).</summary>
    public ReadOnlySpan<byte> Tag { get; private init; }

    /// <summary>True when a tag parameter is present.</summary>
    public bool HasTag { get; private init; }

    /// <summary>The Contact <c>*</c> of an unregister-all REGISTER.</summary>
    public bool IsWildcard { get; private init; }

    /// <summary>
    /// Reads the first address of a header value (a following comma-separated address is not
    /// read). Returns false, never throws, when it is malformed.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out SipAddressView address) => TryRead(value, out address) is null;

    /// <summary>As <see cref="TryParse"/>, throwing <see cref="SipParseException"/> when the value is malformed.</summary>
    public static SipAddressView Parse(ReadOnlySpan<byte> value) =>
        TryRead(value, out var address) is { } problem ? throw new SipParseException($"address: {problem}") : address;

    /// <inheritdoc cref="Parse(ReadOnlySpan{byte})"/>
    public static SipAddressView Parse(string value) => Parse(Encoding.UTF8.GetBytes(value));

    private static string? TryRead(ReadOnlySpan<byte> value, out SipAddressView address)
    {
        address = default;
        var r = new SipByteReader(value);
        r.SkipWhitespace();
        ReadOnlySpan<byte> display = default, uri;
        var wildcard = false;
        if (r.Peek == '*')
        {
            r.Position++;
            wildcard = true;
            uri = "*"u8;
        }
        else
        {
            if (r.Peek == '"')
            {
                if (!r.TryReadQuoted(out display))
                    return "unterminated quoted display name";
                r.SkipWhitespace();
                if (r.Peek != '<')
                    return "a quoted display name must be followed by <URI>";
            }
            else
            {
                // display-name as *(token LWS): a run of tokens and spaces directly followed by '<'.
                var rest = r.Rest;
                var run = SipBytes.RunLength(rest, SipBytes.Token | SipBytes.Whitespace);
                if (run < rest.Length && rest[run] == '<')
                {
                    display = rest[..run].TrimEnd(" \t\r\n"u8);
                    r.Position += run;
                }
            }
            if (r.Peek == '<')
            {
                var close = r.Rest.IndexOf((byte)'>');
                if (close < 0)
                    return "missing '>' after the URI";
                uri = r.Rest[1..close];
                r.Position += close + 1;
            }
            else
            {
                // addr-spec: the URI cannot carry ';' parameters, so they belong to the header (RFC 3261 §20.10).
                var rest = r.Rest;
                var end = rest.IndexOfAny(" \t\r\n,"u8);
                if (end < 0)
                    end = rest.Length;
                var at = rest[..end].IndexOf((byte)'@');
                var from = at < 0 ? 0 : at;
                var semi = rest[from..end].IndexOf((byte)';');
                if (semi >= 0)
                    end = from + semi;
                uri = rest[..end];
                r.Position += end;
            }
            var colon = uri.IndexOf((byte)':');
            if (colon <= 0 || uri.ContainsAny(NotInUri))
                return "missing or malformed URI";
        }
        ReadOnlySpan<byte> tag = default;
        var hasTag = false;
        bool malformed;
        while (r.TryReadParameter(out var name, out var v, out malformed))
        {
            if (!hasTag && SipBytes.EqualsLowerCase(name, "tag"u8))
            {
                hasTag = true;
                tag = v;
            }
        }
        if (malformed)
            return "malformed parameter";
        r.SkipWhitespace();
        if (!r.AtEnd && r.Peek != ',')
            return $"unexpected '{(char)r.Peek}' after the address";
        address = new SipAddressView { Uri = uri, DisplayName = display, Tag = tag, HasTag = hasTag, IsWildcard = wildcard };
        return null;
    }
}
