using System.Globalization;

namespace Dialtone.Sip.Sdp;

/// <summary>An a= line: a property attribute (<c>a=rtcp-mux</c>, Value null) or a value attribute.</summary>
public sealed record SdpAttribute(string Name, string? Value = null)
{
    public override string ToString() => Value is null ? $"a={Name}" : $"a={Name}:{Value}";
}

/// <summary>o= (RFC 4566 §5.2).</summary>
public sealed record SdpOrigin(string UserName, ulong SessionId, ulong SessionVersion, string NetworkType, string AddressType, string Address)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"o={UserName} {SessionId} {SessionVersion} {NetworkType} {AddressType} {Address}");
}

/// <summary>c= (RFC 4566 §5.7): "IN IP4 192.0.2.1". An unspecified address (0.0.0.0) is RFC 2543 hold.</summary>
public sealed record SdpConnection(string NetworkType, string AddressType, string Address)
{
    public bool IsUnspecified => Address is "0.0.0.0" or "::";

    public static SdpConnection For(System.Net.IPAddress address) => new(
        "IN", address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IP6" : "IP4", address.ToString());

    public override string ToString() => $"c={NetworkType} {AddressType} {Address}";
}

/// <summary>
/// One payload type of an m= line with what its a=rtpmap/a=fmtp say: "0 PCMU/8000",
/// "101 telephone-event/8000" + "0-16". Static payload types without rtpmap take RFC 3551's names.
/// </summary>
public sealed record SdpCodec(int PayloadType, string Name, int ClockRate, int Channels = 1, string? Fmtp = null)
{
    public bool IsTelephoneEvent => Name.Equals("telephone-event", StringComparison.OrdinalIgnoreCase);

    /// <summary>Same codec (name, rate, channels), payload type aside.</summary>
    public bool SameFormat(SdpCodec other) =>
        Name.Equals(other.Name, StringComparison.OrdinalIgnoreCase) && ClockRate == other.ClockRate && Channels == other.Channels;

    public string RtpMap => Channels > 1
        ? string.Create(CultureInfo.InvariantCulture, $"{PayloadType} {Name}/{ClockRate}/{Channels}")
        : string.Create(CultureInfo.InvariantCulture, $"{PayloadType} {Name}/{ClockRate}");

    public override string ToString() => RtpMap;
}

/// <summary>a=crypto (RFC 4568 §9.1): tag, suite, one inline key (no lifetime/MKI here), session parameters.</summary>
public sealed record SdpCrypto(int Tag, string Suite, string KeyBase64, string? Lifetime = null, string? Mki = null, IReadOnlyList<string>? SessionParameters = null)
{
    public string Value
    {
        get
        {
            string key = "inline:" + KeyBase64 + (Lifetime is null ? string.Empty : "|" + Lifetime) + (Mki is null ? string.Empty : "|" + Mki);
            string parameters = SessionParameters is { Count: > 0 } ? " " + string.Join(' ', SessionParameters) : string.Empty;
            return string.Create(CultureInfo.InvariantCulture, $"{Tag} {Suite} {key}{parameters}");
        }
    }

    /// <summary>Parses the a=crypto value; null when it is not RFC 4568 syntax (the caller skips it).</summary>
    public static SdpCrypto? TryParse(string value)
    {
        string[] parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int tag) || tag > 999_999_999)
        {
            return null;
        }

        // Several keys ("inline:a;inline:b") are legal but only used with MKIs; not supported.
        string keyParams = parts[2];
        if (!keyParams.StartsWith("inline:", StringComparison.Ordinal) || keyParams.Contains(';', StringComparison.Ordinal))
        {
            return null;
        }

        string[] inline = keyParams["inline:".Length..].Split('|');
        if (inline.Length > 3 || inline[0].Length == 0)
        {
            return null;
        }

        string? lifetime = null, mki = null;
        foreach (string extra in inline.Skip(1))
        {
            if (extra.Contains(':', StringComparison.Ordinal))
            {
                mki = extra;
            }
            else
            {
                lifetime = extra;
            }
        }

        return new SdpCrypto(tag, parts[1], inline[0], lifetime, mki, parts.Skip(3).ToArray());
    }
}

/// <summary>
/// One m= section: media, port, transport profile, formats, its own c= and attributes. Convenience
/// readers interpret the attributes audio calls need (rtpmap/fmtp, ptime, direction, rtcp, rtcp-mux,
/// crypto).
/// </summary>
public sealed class SdpMedia
{
    public SdpMedia(string media, int port, string protocol, IEnumerable<string> formats)
    {
        Media = media;
        Port = port;
        Protocol = protocol;
        Formats = formats.ToList();
    }

    public string Media { get; set; }

    /// <summary>0 rejects (answer) or disables (offer) the stream (RFC 3264 §6).</summary>
    public int Port { get; set; }

    /// <summary>The port count of "m=audio 49170/2 ...", null when absent.</summary>
    public int? PortCount { get; set; }

    public string Protocol { get; set; }

    public List<string> Formats { get; }

    public SdpConnection? Connection { get; set; }

    public List<string> Bandwidths { get; } = [];

    public List<SdpAttribute> Attributes { get; } = [];

    public bool IsRtpAvp => Protocol.Equals("RTP/AVP", StringComparison.OrdinalIgnoreCase);

    public bool IsRtpSavp => Protocol.Equals("RTP/SAVP", StringComparison.OrdinalIgnoreCase);

    /// <summary>DTLS-SRTP with ICE: a WebRTC peer (UDP/TLS/RTP/SAVPF, or its older TCP/UDP variants).</summary>
    public bool IsWebRtc => Protocol.Contains("TLS/RTP/SAVPF", StringComparison.OrdinalIgnoreCase) ||
                            (Protocol.Equals("RTP/SAVPF", StringComparison.OrdinalIgnoreCase) && Attribute("fingerprint") is not null);

    public SdpAttribute? Attribute(string name) =>
        Attributes.FirstOrDefault(a => a.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    public IEnumerable<SdpAttribute> AttributesNamed(string name) =>
        Attributes.Where(a => a.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    public bool HasAttribute(string name) => Attribute(name) is not null;

    /// <summary>The media direction attribute; sendrecv when none (RFC 3264 §5.1), or the session's.</summary>
    public SdpDirection? Direction
    {
        get
        {
            foreach (var a in Attributes)
            {
                switch (a.Name.ToLowerInvariant())
                {
                    case "sendrecv": return SdpDirection.SendRecv;
                    case "sendonly": return SdpDirection.SendOnly;
                    case "recvonly": return SdpDirection.RecvOnly;
                    case "inactive": return SdpDirection.Inactive;
                }
            }

            return null;
        }
    }

    /// <summary>a=ptime in milliseconds, null when absent or not a number.</summary>
    public int? Ptime => int.TryParse(Attribute("ptime")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int ms) ? ms : null;

    /// <summary>a=rtcp (RFC 3605): port and optional address.</summary>
    public (int Port, SdpConnection? Connection)? Rtcp
    {
        get
        {
            string? value = Attribute("rtcp")?.Value;
            if (value is null)
            {
                return null;
            }

            string[] parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
            {
                return null;
            }

            SdpConnection? connection = parts.Length >= 4 ? new SdpConnection(parts[1], parts[2], parts[3]) : null;
            return (port, connection);
        }
    }

    public bool RtcpMux => HasAttribute("rtcp-mux");

    public IEnumerable<SdpCrypto> Cryptos =>
        AttributesNamed("crypto").Select(a => a.Value is null ? null : SdpCrypto.TryParse(a.Value)).OfType<SdpCrypto>();

    /// <summary>
    /// The formats as codecs: a=rtpmap where present, RFC 3551's static assignments otherwise;
    /// formats with neither (a dynamic type without rtpmap) are left out.
    /// </summary>
    public IReadOnlyList<SdpCodec> Codecs
    {
        get
        {
            var codecs = new List<SdpCodec>(Formats.Count);
            foreach (string format in Formats)
            {
                if (!int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out int pt) || pt > 127)
                {
                    continue;
                }

                string? fmtp = AttributesNamed("fmtp").Select(a => a.Value).FirstOrDefault(v => v is not null && FirstToken(v) == format);
                string? parameters = fmtp is null ? null : fmtp[(fmtp.IndexOf(' ', StringComparison.Ordinal) is int i and >= 0 ? i + 1 : fmtp.Length)..].Trim();
                string? rtpmap = AttributesNamed("rtpmap").Select(a => a.Value).FirstOrDefault(v => v is not null && FirstToken(v) == format);
                SdpCodec? codec = rtpmap is not null ? ParseRtpMap(pt, rtpmap) : StaticPayloadTypes.Find(pt);
                if (codec is not null)
                {
                    codecs.Add(codec with { Fmtp = string.IsNullOrEmpty(parameters) ? null : parameters });
                }
            }

            return codecs;
        }
    }

    private static string FirstToken(string value)
    {
        int space = value.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? value : value[..space];
    }

    private static SdpCodec? ParseRtpMap(int pt, string value)
    {
        int space = value.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            return null;
        }

        string[] encoding = value[(space + 1)..].Trim().Split('/');
        if (encoding.Length < 2 || encoding[0].Length == 0 ||
            !int.TryParse(encoding[1], NumberStyles.None, CultureInfo.InvariantCulture, out int rate) || rate <= 0)
        {
            return null;
        }

        int channels = 1;
        if (encoding.Length >= 3 && (!int.TryParse(encoding[2], NumberStyles.None, CultureInfo.InvariantCulture, out channels) || channels < 1))
        {
            return null;
        }

        return new SdpCodec(pt, encoding[0], rate, channels);
    }
}

/// <summary>RFC 3551 table 4: static audio payload types Dialtone may meet.</summary>
public static class StaticPayloadTypes
{
    public static SdpCodec? Find(int payloadType) => payloadType switch
    {
        0 => new SdpCodec(0, "PCMU", 8000),
        3 => new SdpCodec(3, "GSM", 8000),
        4 => new SdpCodec(4, "G723", 8000),
        8 => new SdpCodec(8, "PCMA", 8000),
        9 => new SdpCodec(9, "G722", 8000),
        13 => new SdpCodec(13, "CN", 8000),
        18 => new SdpCodec(18, "G729", 8000),
        _ => null,
    };
}
