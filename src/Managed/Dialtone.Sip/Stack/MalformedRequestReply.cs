using Dialtone.Sip.Message;

namespace Dialtone.Sip.Stack;

/// <summary>
/// The 400 Bad Request for a request too malformed to parse (RFC 3261 §8.2, §16.3): built from the
/// request line and the few headers a response needs (Via, From, To, Call-ID, CSeq), read leniently;
/// no reply to an ACK, to a response, or when those headers are missing. One rule for every
/// component that reads SIP off the wire: the stack and the embedded server's proxy.
/// </summary>
public static class MalformedRequestReply
{
    /// <summary>The reply to <paramref name="data"/>, which failed to parse with <paramref name="error"/>; null when none may be sent.</summary>
    public static SipResponse? TryCreate(ReadOnlySpan<byte> data, SipParseException error, SipParserLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        return SipParser.TryParseRequestHead(data, limits ?? SipParserLimits.Default) is { } head ? TryCreate(head, error) : null;
    }

    /// <summary>The reply to a request whose head parsed but whose content did not validate.</summary>
    public static SipResponse? TryCreate(SipRequest request, SipParseException error)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(error);
        if (request.Method == SipMethods.Ack)
            return null; // never answer an ACK
        try
        {
            // The response copies these lines as they are, so they only need to be present.
            if (request.TopVia is null || !request.Headers.Contains(SipHeaderNames.CSeq) || !request.Headers.Contains(SipHeaderNames.From)
                || !request.Headers.Contains(SipHeaderNames.To) || !request.Headers.Contains(SipHeaderNames.CallId))
                return null;
            var reason = error.Reason.Replace('\r', ' ').Replace('\n', ' ');
            return SipResponse.CreateFor(request, 400, reason.Length > 100 ? reason[..100] : reason);
        }
        catch (SipParseException)
        {
            // Not even the headers needed for a response parse: dropping is all that is left.
            return null;
        }
    }
}
