using Dialtone.Sip.Message;

namespace Dialtone.Sip.Stack;

/// <summary>
/// Builds a new out-of-dialog request (RFC 3261 §8.1.1): From with a fresh tag, To, a new
/// Call-ID, CSeq, Max-Forwards 70 and Content-Length 0. The stack adds the Via when sending.
/// </summary>
public static class SipRequestFactory
{
    public static SipRequest Create(string method, UriReference requestUri, SipAddress from, SipAddress to, string? callId = null, long cseq = 1)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var request = new SipRequest(method, requestUri)
        {
            MaxForwards = 70,
            From = from.Tag is null ? from.WithTag(SipIds.NewTag()) : from,
            To = to,
            CallId = callId ?? SipIds.NewCallId(),
            CSeq = new SipCSeq(cseq, method),
        };
        request.Headers.Add(SipHeaderNames.ContentLength, "0");
        return request;
    }
}
