using System.Text;
using System.Text.Unicode;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Stack;

/// <summary>
/// The answer to a request the stack cannot serve (RFC 3261 §8.2, §21.4.1, §21.5.6): 400 Bad
/// Request with the reason, or 505 Version Not Supported for another SIP version. Built from
/// whatever the request has: the Via, From, To, Call-ID, CSeq and Timestamp lines are copied as
/// they are, so they only need to be present, not valid.
/// </summary>
public static class MalformedRequestAnswer
{
    private const int MaxReasonLength = 100;

    /// <summary>
    /// The answer to bytes that did not parse as a SIP message, salvaged from their header section:
    /// 400 naming the fault, or 505 for another SIP version. Null when nothing may be answered: a
    /// response, an ACK, no header section, or not even the header lines split. The stack and the
    /// embedded server's proxy both answer malformed requests with this one rule.
    /// </summary>
    public static SipResponse? ForUnparsed(ReadOnlySpan<byte> data, SipParseException error, SipParserLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        limits ??= SipParserLimits.Default;
        if (data.Length > limits.MaxMessageBytes)
            data = data[..limits.MaxMessageBytes];
        while (data.Length >= 2 && data[0] == '\r' && data[1] == '\n')
            data = data[2..];
        var end = data.IndexOf("\r\n\r\n"u8);
        if (end < 0 || !Utf8.IsValid(data[..(end + 2)]))
            return null;
        var head = data[..(end + 2)];
        var startLineEnd = head.IndexOf("\r\n"u8);
        var startLine = Encoding.UTF8.GetString(head[..startLineEnd]);
        SipHeaderCollection headers;
        try
        {
            headers = SipParser.ParseHeaders(head[(startLineEnd + 2)..].ToArray(), limits);
        }
        catch (SipParseException)
        {
            return null; // not even the header lines split: nothing can be copied into an answer
        }
        if (startLine.StartsWith("SIP/", StringComparison.OrdinalIgnoreCase))
            return null; // a broken response: never answered
        var method = startLine.Split(' ', 2)[0];
        if (method.Equals(SipMethods.Ack, StringComparison.OrdinalIgnoreCase))
            return null; // an ACK is never answered (§17.2.3)
        var (status, reason) = IsOtherSipVersion(startLine)
            ? (505, $"Version Not Supported ({Clean(startLine[(startLine.LastIndexOf(' ') + 1)..])})")
            : (400, Clean(error.Reason));
        return Build(headers, status, reason);
    }

    /// <summary>
    /// <see cref="ForUnparsed(ReadOnlySpan{byte}, SipParseException, SipParserLimits?)"/> with where
    /// the stack sends it; null also when the answer has no safe way back.
    /// </summary>
    internal static (SipResponse Response, SipEndPoint Destination)? ForUnparsed(ReadOnlySpan<byte> data, SipEndPoint source, SipParserLimits limits, SipParseException error) =>
        ForUnparsed(data, error, limits) is { } response && Destination(response.Headers, source) is { } destination
            ? (response, destination)
            : null;

    /// <summary>A request that parsed but misses or garbles a header the stack needs (§8.1.1).</summary>
    public static (SipResponse Response, SipEndPoint Destination)? ForInvalid(SipRequest request, SipEndPoint source, SipParseException error) =>
        request.Method != SipMethods.Ack && Destination(request.Headers, source) is { } destination
            ? (Build(request.Headers, 400, Clean(error.Reason)), destination)
            : null;

    private static SipResponse Build(SipHeaderCollection headers, int status, string reason)
    {
        var response = new SipResponse(status, reason);
        foreach (var h in headers)
        {
            if (h.Key is SipHeaderNames.Via or SipHeaderNames.From or SipHeaderNames.To or SipHeaderNames.CallId
                or SipHeaderNames.CSeq or SipHeaderNames.Timestamp)
                response.Headers.Add(h);
        }
        response.Headers.Add(SipHeaderNames.ContentLength, "0");
        return response;
    }

    /// <summary>
    /// Back over the connection for streams (§18.2.2). Over UDP only when the top Via parses:
    /// an answer sent to the bare source of a datagram without one would make the stack a reflector.
    /// </summary>
    private static SipEndPoint? Destination(SipHeaderCollection headers, SipEndPoint source)
    {
        if (source.Kind.IsReliable())
            return source;
        var line = headers.First(SipHeaderNames.Via);
        if (line is null)
            return null;
        try
        {
            var via = SipVia.ParseList(line.Value.AsSpan(), SipHeaderNames.Via, line.Line)[0];
            return ViaProcessing.ResponseDestination(via, source);
        }
        catch (SipParseException)
        {
            return null;
        }
    }

    /// <summary>A request line ending in a SIP version other than 2.0 (e.g. <c>SIP/7.0</c>).</summary>
    private static bool IsOtherSipVersion(string startLine)
    {
        var last = startLine.AsSpan(startLine.LastIndexOf(' ') + 1);
        if (last.Length < 7 || !last.StartsWith("SIP/", StringComparison.OrdinalIgnoreCase) || last.Equals(SipMessage.SipVersion, StringComparison.OrdinalIgnoreCase))
            return false;
        var dot = last.IndexOf('.');
        return dot > 4 && dot < last.Length - 1 && int.TryParse(last[4..dot], out _) && int.TryParse(last[(dot + 1)..], out _);
    }

    /// <summary>A reason phrase is one line of printable text; the error text may quote the input.</summary>
    private static string Clean(string reason)
    {
        var sb = new StringBuilder(Math.Min(reason.Length, MaxReasonLength));
        foreach (var c in reason)
        {
            if (sb.Length == MaxReasonLength)
                break;
            sb.Append(char.IsControl(c) ? ' ' : c);
        }
        return sb.ToString();
    }
}
