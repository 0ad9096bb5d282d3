using System.Text;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Message;

/// <summary>
/// One Via entry (RFC 3261 §20.42): sent-protocol, sent-by and parameters (branch, received,
/// rport per RFC 3581, maddr, ttl). Immutable.
/// </summary>
public sealed record SipVia
{
    /// <summary>The RFC 3261 branch prefix that marks a branch as unique per transaction (§8.1.1.7).</summary>
    public const string MagicCookie = "z9hG4bK";

    public SipVia(string transport, string host, int? port, string branch)
    {
        Transport = transport;
        Host = host;
        Port = port;
        Parameters = SipParameters.Empty.With("branch", branch);
    }

    private SipVia(string transport, string host, int? port, SipParameters parameters)
    {
        Transport = transport;
        Host = host;
        Port = port;
        Parameters = parameters;
    }

    /// <summary>"SIP/2.0".</summary>
    public string Protocol { get; init; } = "SIP/2.0";

    /// <summary>Transport token as written: UDP, TCP, TLS, WS, WSS, SCTP…</summary>
    public string Transport { get; init; }

    public string Host { get; init; }

    public int? Port { get; init; }

    public SipParameters Parameters { get; init; }

    public SipHostPort SentBy => new(Host, Port);

    public string? Branch => Parameters.Get("branch");

    public string? Received => Parameters.Get("received");

    /// <summary>True when an <c>rport</c> parameter is present (with or without value, RFC 3581).</summary>
    public bool HasRport => Parameters.Contains("rport");

    /// <summary>The rport value when filled in by the server, else null.</summary>
    public int? Rport => int.TryParse(Parameters.Get("rport"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) ? p : null;

    public string? Maddr => Parameters.Get("maddr");

    /// <summary>Whether the branch starts with the RFC 3261 magic cookie.</summary>
    public bool HasRfc3261Branch => Branch?.StartsWith(MagicCookie, StringComparison.Ordinal) == true;

    public SipVia WithParameter(string name, string? value) => this with { Parameters = Parameters.With(name, value) };

    public static SipVia Parse(string text) => ParseList(text.AsSpan(), "Via", 0) is [var one] ? one : throw new SipParseException("Via: expected exactly one entry");

    /// <summary>Parses a Via header value, which may hold several comma-separated entries.</summary>
    internal static List<SipVia> ParseList(ReadOnlySpan<char> text, string what, int line) => ParseList(text, what, line, build: true)!;

    /// <summary>Checks a Via header value exactly as <see cref="ParseList(ReadOnlySpan{char}, string, int)"/> does, allocating nothing.</summary>
    internal static void ValidateList(ReadOnlySpan<char> text, string what, int line) => ParseList(text, what, line, build: false);

    private static List<SipVia>? ParseList(ReadOnlySpan<char> text, string what, int line, bool build)
    {
        var s = new SipScanner(text, what, line);
        var list = build ? new List<SipVia>(1) : null;
        do
        {
            s.SkipWhitespace();
            var name = s.ReadToken("protocol name");
            s.Expect('/');
            var version = s.ReadToken("protocol version");
            s.Expect('/');
            var transport = s.ReadToken("transport");
            if (s.Peek is not (' ' or '\t'))
                throw s.Error("expected whitespace before sent-by");
            s.SkipWhitespace();
            var (hostStart, hostEnd) = SipUri.ReadHostRange(ref s);
            int? port = null;
            if (s.TryConsume(':'))
                port = SipUri.ReadPort(ref s);
            var parameters = SipParameters.Parse(ref s, ",", uriParameters: false, build);
            if (list is not null)
            {
                var protocol = name.Equals("SIP", StringComparison.OrdinalIgnoreCase) && version is "2.0" ? "SIP/2.0" : $"{name}/{version}";
                list.Add(new SipVia(TransportName(transport), s.Slice(hostStart, hostEnd).ToString(), port, parameters) { Protocol = protocol });
            }
            s.SkipWhitespace();
        }
        while (s.TryConsume(','));
        if (!s.AtEnd)
            throw s.Error($"unexpected '{s.Peek}'");
        return list;
    }

    private static string TransportName(ReadOnlySpan<char> token)
    {
        foreach (var known in (ReadOnlySpan<string>)["UDP", "TCP", "TLS", "WS", "WSS", "SCTP"])
        {
            if (token.Equals(known, StringComparison.OrdinalIgnoreCase))
                return known;
        }
        return token.ToString().ToUpperInvariant();
    }

    public override string ToString()
    {
        var sb = new StringBuilder(96).Append(Protocol).Append('/').Append(Transport).Append(' ').Append(Host);
        if (Port is { } p)
            sb.Append(':').Append(p);
        Parameters.AppendTo(sb);
        return sb.ToString();
    }
}
