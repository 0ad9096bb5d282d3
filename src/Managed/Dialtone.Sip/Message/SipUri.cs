using System.Globalization;
using System.Text;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Message;

/// <summary>
/// A <c>sip:</c> or <c>sips:</c> URI (RFC 3261 §19.1): user, password, host (name, IPv4 or
/// bracketed IPv6 reference), port, parameters and headers. Immutable; use <c>with</c> to change.
/// <see cref="User"/> and <see cref="Password"/> are unescaped; <see cref="ToString"/> escapes them again.
/// </summary>
public sealed record SipUri : UriReference
{
    public SipUri(string host, int? port = null, string? user = null, bool secure = false)
    {
        Host = host;
        Port = port;
        User = user;
        IsSecure = secure;
    }

    public bool IsSecure { get; init; }

    public override string Scheme => IsSecure ? "sips" : "sip";

    public string? User { get; init; }

    public string? Password { get; init; }

    /// <summary>Host name, IPv4 address, or IPv6 reference with its brackets ("[::1]").</summary>
    public string Host
    {
        get;
        init => field = !string.IsNullOrEmpty(value) && !value.AsSpan().ContainsAny(NotInHost)
            ? value
            : throw new ArgumentException($"'{value}' is not a host name or address.", nameof(Host));
    }

    private static readonly System.Buffers.SearchValues<char> NotInHost = System.Buffers.SearchValues.Create(" \t\r\n<>\";,?@/\\");

    public int? Port { get; init => field = value is null or (>= 0 and <= 65535) ? value : throw new ArgumentOutOfRangeException(nameof(Port)); }

    public SipParameters Parameters { get; init; } = SipParameters.Empty;

    /// <summary>URI headers (<c>?name=value&amp;…</c>), values as written (escaped).</summary>
    public SipParameters Headers { get; init; } = SipParameters.Empty;

    public SipHostPort HostPort => new(Host, Port);

    /// <summary>The <c>transport</c> parameter, lower-cased, or null.</summary>
    public string? Transport => Parameters.Get("transport")?.ToLowerInvariant();

    /// <summary>Loose routing flag (RFC 3261 §19.1.1 <c>lr</c>).</summary>
    public bool IsLooseRouter => Parameters.Contains("lr");

    public string? MaddrParameter => Parameters.Get("maddr");

    public SipUri WithParameter(string name, string? value = null) => this with { Parameters = Parameters.With(name, value) };

    public SipUri WithoutParameter(string name) => this with { Parameters = Parameters.Without(name) };

    public static new SipUri Parse(string text) => Parse(text.AsSpan(), "SIP URI", 0);

    public static bool TryParse(string text, out SipUri? uri)
    {
        try
        {
            uri = Parse(text);
            return true;
        }
        catch (SipParseException)
        {
            uri = null;
            return false;
        }
    }

    internal static new SipUri Parse(ReadOnlySpan<char> text, string what, int line) => ParseCore(text, what, line, build: true)!;

    /// <summary>Checks <paramref name="text"/> exactly as <see cref="Parse(ReadOnlySpan{char}, string, int)"/> does, allocating nothing.</summary>
    internal static new void Validate(ReadOnlySpan<char> text, string what, int line) => ParseCore(text, what, line, build: false);

    private static SipUri? ParseCore(ReadOnlySpan<char> text, string what, int line, bool build)
    {
        var s = new SipScanner(text, what, line);
        var scheme = s.ReadUntilAny(":");
        bool secure;
        if (scheme.Equals("sip", StringComparison.OrdinalIgnoreCase))
            secure = false;
        else if (scheme.Equals("sips", StringComparison.OrdinalIgnoreCase))
            secure = true;
        else
            throw s.Error($"not a sip or sips URI: '{Shorten(text)}'");
        if (s.Peek != ':')
            throw s.Error($"'{Shorten(text)}' has no ':' after the scheme");
        s.Position++;
        string? user = null, password = null;
        var at = s.Rest.IndexOf('@');
        if (at >= 0)
        {
            var userinfo = s.Rest[..at];
            if (userinfo.ContainsAny(" \t<>\""))
                throw s.Error("invalid character in the user part");
            var colon = userinfo.IndexOf(':');
            var userPart = colon < 0 ? userinfo : userinfo[..colon];
            if (userPart.IsEmpty)
                throw s.Error("empty user part before '@'");
            user = SipSyntax.Unescape(userPart, what, build);
            if (colon >= 0)
                password = SipSyntax.Unescape(userinfo[(colon + 1)..], what, build);
            s.Position += at + 1;
        }
        var (hostStart, hostEnd) = ReadHostRange(ref s);
        int? port = null;
        if (s.Peek == ':')
        {
            s.Position++;
            port = ReadPort(ref s);
        }
        var parameters = SipParameters.Parse(ref s, "?", uriParameters: true, build);
        var headers = SipParameters.Empty;
        if (s.Peek == '?')
            headers = ParseHeaders(ref s, build);
        if (!s.AtEnd)
            throw s.Error($"unexpected '{s.Peek}' in URI");
        if (!build)
            return null;
        return new SipUri(s.Slice(hostStart, hostEnd).ToString(), port, user, secure) { Password = password, Parameters = parameters, Headers = headers };
    }

    internal static string ReadHost(ref SipScanner s)
    {
        var (start, end) = ReadHostRange(ref s);
        return s.Slice(start, end).ToString();
    }

    internal static (int Start, int End) ReadHostRange(ref SipScanner s)
    {
        if (s.Peek == '[')
        {
            var start = s.Position;
            var close = s.Rest.IndexOf(']');
            if (close < 0)
                throw s.Error("unterminated IPv6 reference");
            var inner = s.Rest[1..close];
            if (inner.IsEmpty || inner.ContainsAnyExcept("0123456789abcdefABCDEF:.") || !System.Net.IPAddress.TryParse(inner, out _))
                throw s.Error("invalid IPv6 reference");
            s.Position += close + 1;
            return (start, s.Position);
        }
        var hostStart = s.Position;
        s.Position = s.SkipAll(SipSyntax.HostChars);
        if (s.Position == hostStart)
            throw s.Error(s.AtEnd ? "missing host" : $"invalid character '{s.Peek}' in host");
        return (hostStart, s.Position);
    }

    internal static int ReadPort(ref SipScanner s)
    {
        var start = s.Position;
        while (!s.AtEnd && char.IsAsciiDigit(s.Peek))
            s.Position++;
        var digits = s.Slice(start, s.Position);
        if (digits.IsEmpty || digits.Length > 5 || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            s.Position = start;
            throw s.Error("invalid port");
        }
        return port;
    }

    private static SipParameters ParseHeaders(ref SipScanner s, bool build)
    {
        var list = build ? new List<SipParameter>() : null;
        do
        {
            s.Position++; // '?' or '&'
            var name = s.ReadUntilAny("=&");
            if (name.IsEmpty || s.Peek != '=')
                throw s.Error("URI header must be name=value");
            s.Position++;
            var value = s.ReadUntilAny("&");
            list?.Add(new SipParameter(name.ToString(), value.ToString()));
        }
        while (s.Peek == '&');
        return list is null ? SipParameters.Empty : SipParameters.Create(list);
    }

    public override string ToString()
    {
        var sb = new StringBuilder(64).Append(Scheme).Append(':');
        if (User is not null)
        {
            sb.Append(SipSyntax.EscapeUser(User));
            if (Password is not null)
                sb.Append(':').Append(SipSyntax.EscapePassword(Password));
            sb.Append('@');
        }
        sb.Append(Host);
        if (Port is { } p)
            sb.Append(':').Append(p.ToString(CultureInfo.InvariantCulture));
        Parameters.AppendTo(sb);
        for (var i = 0; i < Headers.Count; i++)
            sb.Append(i == 0 ? '?' : '&').Append(Headers[i].Name).Append('=').Append(Headers[i].Value);
        return sb.ToString();
    }

    /// <summary>
    /// URI equivalence per RFC 3261 §19.1.4: scheme, user and password case-sensitive, host
    /// case-insensitive, port as written; the parameters user, ttl, method, maddr and transport
    /// must agree when either side has them; other parameters only when both have them; headers all.
    /// </summary>
    public bool Equals(SipUri? other)
    {
        if (other is null)
            return false;
        if (IsSecure != other.IsSecure || User != other.User || Password != other.Password
            || !string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase) || Port != other.Port)
            return false;
        foreach (var name in (ReadOnlySpan<string>)["user", "ttl", "method", "maddr", "transport"])
        {
            if (!string.Equals(Parameters.Get(name), other.Parameters.Get(name), StringComparison.OrdinalIgnoreCase)
                || Parameters.Contains(name) != other.Parameters.Contains(name))
                return false;
        }
        foreach (var p in Parameters)
        {
            if (other.Parameters.Contains(p.Name) && !string.Equals(p.Value, other.Parameters.Get(p.Name), StringComparison.OrdinalIgnoreCase))
                return false;
        }
        return Headers.Equals(other.Headers);
    }

    public override int GetHashCode() => HashCode.Combine(IsSecure, User, StringComparer.OrdinalIgnoreCase.GetHashCode(Host), Port);
}
