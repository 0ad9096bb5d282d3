using System.Globalization;
using System.Text;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transactions;

namespace Dialtone.Sip.Sessions;

// UPDATE in the early dialog (RFC 3311 §5.2), as callee: once the initial offer/answer is complete
// (our answer in a PRACKed reliable 18x, or our offer in one answered by its PRACK) the caller may
// change the session before the answer — a new codec, hold — with an UPDATE carrying an offer; we
// answer it in the UPDATE's 200 and the final 200 to the INVITE then carries no SDP.
public sealed partial class Invitation
{
    private bool _earlyUpdateInProgress;
    // The hold state the last early UPDATE's offer set (null: none came; the INVITE's offer counts).
    private bool? _earlyUpdateHold;

    private protected override async Task OnEarlyUpdateAsync(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        if (_earlyDialog is not { } early || State is not (SessionState.Ringing or SessionState.EarlyMedia))
        {
            Agent.Respond(transaction, transaction.CreateResponse(481));
            return;
        }
        if (!early.AcceptRequest(request))
        {
            Agent.Respond(transaction, transaction.CreateResponse(500, "Server Internal Error (CSeq out of order)"));
            return;
        }
        if (!Bodies.Has(request))
        {
            // Nothing for the media (a refresh or a target update): 200, our Contact.
            var plain = transaction.CreateResponse(200);
            plain.Headers.Add(SipHeaderNames.Contact, Agent.Contact.ToString());
            Agent.Respond(transaction, plain);
            return;
        }
        if (_offerInReliable && !_exchangeDoneEarly)
        {
            // §5.2: our offer (in the reliable 18x) is still unanswered.
            Agent.Respond(transaction, transaction.CreateResponse(491));
            return;
        }
        if (!_exchangeDoneEarly || _earlyUpdateInProgress || _answering)
        {
            // §5.2: the caller's INVITE offer is not answered reliably yet, a previous UPDATE is being
            // answered, or the 200 to the INVITE is on its way: ask again later.
            var later = transaction.CreateResponse(500, "Server Internal Error (offer/answer in progress)");
            later.Headers.Add(SipHeaderNames.RetryAfter, Random.Shared.Next(0, 11).ToString(CultureInfo.InvariantCulture));
            Agent.Respond(transaction, later);
            return;
        }
        if (!Bodies.IsType(request, Media.ContentType))
        {
            var unsupported = transaction.CreateResponse(415);
            unsupported.Headers.Add(SipHeaderNames.Accept, Media.ContentType);
            Agent.Respond(transaction, unsupported);
            return;
        }
        _earlyUpdateInProgress = true;
        try
        {
            RemoteOfferInfo offer;
            string answer;
            try
            {
                offer = await Media.SetRemoteOfferAsync(Bodies.Text(request), Lifetime);
                answer = await Media.CreateAnswerAsync(Lifetime);
            }
            catch (SessionMediaException e)
            {
                Agent.Respond(transaction, NotAcceptable(transaction, e));
                return;
            }
            var ok = transaction.CreateResponse(200);
            ok.Headers.Add(SipHeaderNames.Contact, Agent.Contact.ToString());
            ok.SetBody(Encoding.UTF8.GetBytes(answer), SipContentType.Parse(Media.ContentType));
            _earlyUpdateHold = offer.IsHold;
            await transaction.SendResponseAsync(ok);
        }
        finally
        {
            _earlyUpdateInProgress = false;
        }
    }
}
