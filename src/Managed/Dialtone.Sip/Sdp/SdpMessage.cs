using System.Globalization;
using System.Text;

namespace Dialtone.Sip.Sdp;

/// <summary>
/// An SDP session description (RFC 4566) as a small mutable model: session lines, then m= sections.
/// <see cref="Parse"/> checks the grammar the offer/answer model relies on and throws
/// <see cref="SdpParseException"/> otherwise; <see cref="ToString"/> writes CRLF-terminated lines.
/// Lines it does not interpret (i=, u=, e=, p=, z=, k=, r=) are kept and written back.
/// </summary>
public sealed class SdpMessage
{
    /// <summary>Refuse bodies beyond this size before parsing (a legacy audio offer is well under 2 KB).</summary>
    public const int MaxLength = 64 * 1024;
    public const int MaxMediaSections = 32;

    public SdpMessage(SdpOrigin origin, string sessionName = "-")
    {
        Origin = origin;
        SessionName = sessionName;
    }

    public SdpOrigin Origin { get; set; }

    public string SessionName { get; set; }

    /// <summary>Session-level c=, the default for m= sections without their own.</summary>
    public SdpConnection? Connection { get; set; }

    public string Timing { get; set; } = "0 0";

    public List<string> Bandwidths { get; } = [];

    public List<SdpAttribute> Attributes { get; } = [];

    /// <summary>Session lines kept as they were ("i=...", "u=...").</summary>
    public List<string> OtherLines { get; } = [];

    public List<SdpMedia> Media { get; } = [];

    /// <summary>The c= that applies to <paramref name="media"/> (its own, else the session's).</summary>
    public SdpConnection? ConnectionFor(SdpMedia media) => media.Connection ?? Connection;

    /// <summary>The direction of <paramref name="media"/>: its attribute, else the session's, else sendrecv.</summary>
    public SdpDirection DirectionOf(SdpMedia media)
    {
        if (media.Direction is { } d)
        {
            return d;
        }

        foreach (var a in Attributes)
        {
            switch (a.Name.ToLowerInvariant())
            {
                case "sendonly": return SdpDirection.SendOnly;
                case "recvonly": return SdpDirection.RecvOnly;
                case "inactive": return SdpDirection.Inactive;
                case "sendrecv": return SdpDirection.SendRecv;
            }
        }

        return SdpDirection.SendRecv;
    }

    public static SdpMessage Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw new SdpParseException($"the body is {text.Length} characters, more than {MaxLength}", 0);
        }

        string[] lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        SdpMessage? message = null;
        SdpMedia? media = null;
        bool sawVersion = false, sawSessionName = false, sawTiming = false;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            int number = i + 1;
            if (line.Length == 0)
            {
                if (lines.Skip(i).All(l => l.Trim().Length == 0))
                {
                    break;
                }

                throw new SdpParseException("empty line inside the description", number);
            }

            if (line.Length < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z')
            {
                throw new SdpParseException($"not a <type>=<value> line: '{Shorten(line)}'", number);
            }

            char type = line[0];
            string value = line[2..];
            if (!sawVersion)
            {
                if (type != 'v' || value.Trim() != "0")
                {
                    throw new SdpParseException("the description must start with v=0", number);
                }

                sawVersion = true;
                continue;
            }

            if (message is null)
            {
                if (type != 'o')
                {
                    throw new SdpParseException("o= must follow v=", number);
                }

                message = new SdpMessage(ParseOrigin(value, number));
                continue;
            }

            switch (type)
            {
                case 'v':
                case 'o':
                    throw new SdpParseException($"a second {type}= line", number);
                case 's' when media is null:
                    message.SessionName = value;
                    sawSessionName = true;
                    break;
                case 't' when media is null:
                    if (!sawTiming)
                    {
                        message.Timing = value;
                    }

                    sawTiming = true;
                    break;
                case 'c':
                    var connection = ParseConnection(value, number);
                    if (media is null)
                    {
                        message.Connection = connection;
                    }
                    else
                    {
                        media.Connection = connection;
                    }

                    break;
                case 'b':
                    (media?.Bandwidths ?? message.Bandwidths).Add(value);
                    break;
                case 'a':
                    (media?.Attributes ?? message.Attributes).Add(ParseAttribute(value, number));
                    break;
                case 'm':
                    if (message.Media.Count == MaxMediaSections)
                    {
                        throw new SdpParseException($"more than {MaxMediaSections} m= sections", number);
                    }

                    media = ParseMedia(value, number);
                    message.Media.Add(media);
                    break;
                default:
                    if (media is null)
                    {
                        message.OtherLines.Add(line);
                    }

                    // Media-level i=/k= are of no use to audio calls: dropped.
                    break;
            }
        }

        if (message is null)
        {
            throw new SdpParseException("an SDP body needs at least v= and o= lines", 0);
        }

        if (!sawSessionName)
        {
            throw new SdpParseException("no s= line", 0);
        }

        if (!sawTiming)
        {
            throw new SdpParseException("no t= line", 0);
        }

        foreach (var m in message.Media)
        {
            if (m.Port != 0 && message.ConnectionFor(m) is null)
            {
                throw new SdpParseException($"m={m.Media} has no c= line and neither has the session", 0);
            }
        }

        return message;
    }

    public override string ToString()
    {
        var b = new StringBuilder(512);
        b.Append("v=0\r\n");
        b.Append(Origin).Append("\r\n");
        b.Append("s=").Append(SessionName.Length == 0 ? "-" : SessionName).Append("\r\n");
        foreach (string other in OtherLines)
        {
            b.Append(other).Append("\r\n");
        }

        if (Connection is not null)
        {
            b.Append(Connection).Append("\r\n");
        }

        foreach (string bandwidth in Bandwidths)
        {
            b.Append("b=").Append(bandwidth).Append("\r\n");
        }

        b.Append("t=").Append(Timing).Append("\r\n");
        foreach (var a in Attributes)
        {
            b.Append(a).Append("\r\n");
        }

        foreach (var m in Media)
        {
            b.Append("m=").Append(m.Media).Append(' ').Append(m.Port.ToString(CultureInfo.InvariantCulture));
            if (m.PortCount is { } count)
            {
                b.Append('/').Append(count.ToString(CultureInfo.InvariantCulture));
            }

            b.Append(' ').Append(m.Protocol);
            foreach (string format in m.Formats)
            {
                b.Append(' ').Append(format);
            }

            b.Append("\r\n");
            if (m.Connection is not null)
            {
                b.Append(m.Connection).Append("\r\n");
            }

            foreach (string bandwidth in m.Bandwidths)
            {
                b.Append("b=").Append(bandwidth).Append("\r\n");
            }

            foreach (var a in m.Attributes)
            {
                b.Append(a).Append("\r\n");
            }
        }

        return b.ToString();
    }

    private static string Shorten(string line) => line.Length <= 40 ? line : line[..40] + "...";

    private static SdpOrigin ParseOrigin(string value, int number)
    {
        string[] f = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length != 6 ||
            !ulong.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong id) ||
            !ulong.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out ulong version))
        {
            throw new SdpParseException("o= needs <username> <sess-id> <sess-version> <nettype> <addrtype> <address>", number);
        }

        return new SdpOrigin(f[0], id, version, f[3], f[4], f[5]);
    }

    private static SdpConnection ParseConnection(string value, int number)
    {
        string[] f = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length != 3 || f[0] != "IN" || (f[1] != "IP4" && f[1] != "IP6"))
        {
            throw new SdpParseException($"c= must be 'IN IP4|IP6 <address>': '{Shorten(value)}'", number);
        }

        // Multicast TTL/count suffixes ("224.2.1.1/127") are not for unicast calls: keep the address only.
        string address = f[2];
        int slash = address.IndexOf('/', StringComparison.Ordinal);
        return new SdpConnection(f[0], f[1], slash < 0 ? address : address[..slash]);
    }

    private static SdpAttribute ParseAttribute(string value, int number)
    {
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        string name = colon < 0 ? value : value[..colon];
        if (name.Length == 0 || name.Contains(' ', StringComparison.Ordinal))
        {
            throw new SdpParseException($"bad attribute name in a={Shorten(value)}", number);
        }

        return new SdpAttribute(name, colon < 0 ? null : value[(colon + 1)..]);
    }

    private static SdpMedia ParseMedia(string value, int number)
    {
        string[] f = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length < 4)
        {
            throw new SdpParseException("m= needs <media> <port> <proto> <fmt> ...", number);
        }

        string portText = f[1];
        int? count = null;
        int slash = portText.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (!int.TryParse(portText[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int c) || c < 1)
            {
                throw new SdpParseException($"bad port count in m={Shorten(value)}", number);
            }

            count = c;
            portText = portText[..slash];
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            throw new SdpParseException($"bad port in m={Shorten(value)}", number);
        }

        return new SdpMedia(f[0], port, f[2], f.Skip(3)) { PortCount = count };
    }
}
