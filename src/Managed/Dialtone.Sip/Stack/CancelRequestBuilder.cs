using Dialtone.Sip.Message;

namespace Dialtone.Sip.Stack;

/// <summary>Builds CANCEL from the INVITE it cancels (RFC 3261 §9.1).</summary>
internal static class CancelRequestBuilder
{
    public static SipRequest Build(SipRequest invite)
    {
        var cancel = new SipRequest(SipMethods.Cancel, invite.RequestUri);
        // Same single Via (hence same branch), Call-ID, From, To, CSeq number and Route set.
        cancel.Headers.Add(SipHeaderNames.Via, invite.TopVia!.ToString());
        foreach (var route in invite.Headers.All(SipHeaderNames.Route))
            cancel.Headers.Add(route);
        cancel.MaxForwards = 70;
        cancel.From = invite.From;
        cancel.To = invite.To;
        cancel.CallId = invite.CallId;
        cancel.CSeq = new SipCSeq(invite.CSeq!.Number, SipMethods.Cancel);
        cancel.Headers.Add(SipHeaderNames.ContentLength, "0");
        return cancel;
    }
}
