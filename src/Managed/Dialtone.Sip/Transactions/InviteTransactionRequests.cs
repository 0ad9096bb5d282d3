using Dialtone.Sip.Message;

namespace Dialtone.Sip.Transactions;

/// <summary>
/// The two requests that travel inside an INVITE's transaction instead of starting their own: CANCEL
/// (RFC 3261 §9.1) and the ACK for a non-2xx (§17.1.1.3). Both copy the INVITE's single Via (so the
/// same branch), Request-URI, Route set, From, Call-ID and CSeq number; only the method and the To
/// differ (the ACK takes the response's To, with its tag).
/// </summary>
internal static class InviteTransactionRequests
{
    public static SipRequest Cancel(SipRequest invite) => Build(invite, SipMethods.Cancel, invite.To);

    public static SipRequest AckForFailure(SipRequest invite, SipResponse failure) => Build(invite, SipMethods.Ack, failure.To);

    private static SipRequest Build(SipRequest invite, string method, SipAddress? to)
    {
        var request = new SipRequest(method, invite.RequestUri);
        request.Headers.Add(SipHeaderNames.Via, invite.TopVia!.ToString());
        foreach (var route in invite.Headers.All(SipHeaderNames.Route))
            request.Headers.Add(route);
        request.MaxForwards = 70;
        request.From = invite.From;
        request.To = to;
        request.CallId = invite.CallId;
        request.CSeq = new SipCSeq(invite.CSeq!.Number, method);
        request.Headers.Add(SipHeaderNames.ContentLength, "0");
        return request;
    }
}
