using System.Text;

namespace Dialtone.Sip.Message;

/// <summary>
/// The first Via entry of a header value, read in place from the message's UTF-8 bytes: what
/// transaction matching needs (branch, sent-by, transport, received, rport) without allocating.
/// The spans point into the message's buffer, so a view is only valid while you hold the message
/// (it cannot be stored: it is a ref struct). For the full entry, use <see cref="SipMessage.TopVia"/>.
/// </summary>
public readonly ref struct SipViaView
{
    /// <summary>Transport token as written (e.g. "UDP", "tls").</summary>
    public ReadOnlySpan<byte> Transport { get; private init; }

    /// <summary>Host name, IPv4 address or bracketed IPv6 reference, as written.</summary>
    public ReadOnlySpan<byte> Host { get; private init; }

    /// <summary>The sent-by port, or -1 when absent.</summary>
    public int Port { get; private init; }

    /// <summary>The branch parameter value (empty when absent).</summary>
    public ReadOnlySpan<byte> Branch { get; private init; }

    /// <summary>The received parameter value (empty when absent).</summary>
    public ReadOnlySpan<byte> Received { get; private init; }

    /// <summary>True when an rport parameter is present (RFC 3581), with or without value.</summary>
    public bool HasRport { get; private init; }

    /// <summary>The rport value when filled in, else -1.</summary>
    public int Rport { get; private init; }

    /// <summary>Whether the branch starts with the RFC 3261 magic cookie "z9hG4bK".</summary>
    public bool HasRfc3261Branch => Branch.StartsWith("z9hG4bK"u8);

    /// <summary>
    /// Reads the first entry of a Via header value (further comma-separated entries are checked
    /// to start with ',' but not read). Returns false, never throws, when it is malformed.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out SipViaView via) => TryRead(value, out via) is null;

    /// <summary>As <see cref="TryParse"/>, throwing <see cref="SipParseException"/> when the value is malformed.</summary>
    public static SipViaView Parse(ReadOnlySpan<byte> value) =>
        TryRead(value, out var via) is { } problem ? throw new SipParseException($"Via: {problem}") : via;

    /// <inheritdoc cref="Parse(ReadOnlySpan{byte})"/>
    public static SipViaView Parse(string value) => Parse(Encoding.UTF8.GetBytes(value));

    /// <summary>Reads the entry; returns null on success or what is wrong.</summary>
    private static string? TryRead(ReadOnlySpan<byte> value, out SipViaView via)
    {
        via = default;
        var r = new SipByteReader(value);
        r.SkipWhitespace();
        if (r.Rest.StartsWith("SIP/2.0/"u8))
        {
            // As nearly every Via is written: the two tokens need no reading (whitespace may still follow the '/').
            r.Position += "SIP/2.0/".Length;
            r.SkipWhitespace();
        }
        else
        {
            if (!r.TryReadToken(out _))
                return "expected protocol name";
            if (!r.TryConsume((byte)'/') || !r.TryReadToken(out _))
                return "expected '/' and protocol version";
            if (!r.TryConsume((byte)'/'))
                return "expected '/' and transport";
        }
        if (!r.TryReadToken(out var transport))
            return "expected '/' and transport";
        if (!SipByteReader.IsWhitespace(r.Peek))
            return "expected whitespace before sent-by";
        r.SkipWhitespace();
        if (!r.TryReadHost(out var host))
            return "invalid host";
        var port = -1;
        if (r.TryConsume((byte)':') && !r.TryReadPort(out port))
            return "invalid port";
        ReadOnlySpan<byte> branch = default, received = default;
        bool hasBranch = false, hasReceived = false, hasRport = false;
        var rport = -1;
        bool malformed;
        while (r.TryReadParameter(out var name, out var v, out malformed))
        {
            if (!hasBranch && SipBytes.EqualsLowerCase(name, "branch"u8))
            {
                hasBranch = true;
                branch = v;
            }
            else if (!hasReceived && SipBytes.EqualsLowerCase(name, "received"u8))
            {
                hasReceived = true;
                received = v;
            }
            else if (!hasRport && SipBytes.EqualsLowerCase(name, "rport"u8))
            {
                hasRport = true;
                var digits = new SipByteReader(v);
                if (!v.IsEmpty && digits.TryReadPort(out var p) && digits.AtEnd)
                    rport = p;
            }
        }
        if (malformed)
            return "malformed parameter";
        r.SkipWhitespace();
        if (!r.AtEnd && r.Peek != ',')
            return $"unexpected '{(char)r.Peek}'";
        via = new SipViaView
        {
            Transport = transport,
            Host = host,
            Port = port,
            Branch = branch,
            Received = received,
            HasRport = hasRport,
            Rport = rport,
        };
        return null;
    }
}
