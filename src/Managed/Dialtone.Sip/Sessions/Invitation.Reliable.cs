using System.Globalization;
using Dialtone.Sip.Dialogs;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transactions;
using Microsoft.Extensions.Logging;

namespace Dialtone.Sip.Sessions;

// Reliable provisional responses as callee (RFC 3262 §3): when the caller requires 100rel, every
// 18x goes reliably; when it only supports 100rel, the ones that carry a session description do
// (a carrier's early media must not be lost). One reliable 18x at a time: it is re-sent at T1,
// 2·T1, … until its PRACK arrives, and after 64·T1 without one the INVITE is refused 5xx. The 2xx
// waits for the PRACK of a reliable 18x that carried SDP (§3).
public sealed partial class Invitation
{
    private ReliableMode _reliableMode;
    private long _nextRSeq;
    private SipDialog? _earlyDialog;
    private PendingReliable? _pending;
    // Our offer went out in a reliable 18x (INVITE without one): its answer comes in the PRACK.
    private bool _offerInReliable;
    // The offer/answer exchange finished before the 2xx (answer in a PRACKed 18x, or answer in the PRACK): the 2xx carries no SDP.
    private bool _exchangeDoneEarly;

    private enum ReliableMode
    {
        None,
        Supported,
        Required,
    }

    private sealed record PendingReliable(long RSeq, SipResponse Response, bool CarriesSdp)
    {
        public TaskCompletionSource<bool> Acknowledged { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Whether the caller's INVITE makes our provisional responses reliable: required (every 18x) or supported (those with SDP).</summary>
    private void ReadReliableMode()
    {
        if (!Agent.Options.ReliableProvisionals)
            return;
        if (SessionHeaders.Lists(_invite.Request, SipHeaderNames.Require, SessionHeaders.ReliableTag))
            _reliableMode = ReliableMode.Required;
        else if (SessionHeaders.Lists(_invite.Request, SipHeaderNames.Supported, SessionHeaders.ReliableTag))
            _reliableMode = ReliableMode.Supported;
        // RFC 3262 §7.1: the first RSeq is random, below 2^31 with room to count on.
        _nextRSeq = Random.Shared.Next(1, 1 << 30);
    }

    /// <summary>True when this 18x must go reliably.</summary>
    private bool IsReliable(bool carriesSdp) =>
        _reliableMode == ReliableMode.Required || (_reliableMode == ReliableMode.Supported && carriesSdp);

    /// <summary>Reliable provisionals are possible at all (the caller supports or requires 100rel, and so do we).</summary>
    private bool CanSendReliably => _reliableMode != ReliableMode.None;

    /// <summary>
    /// Sends a 18x, reliably when the caller asked for it (see <see cref="IsReliable"/>). A reliable
    /// one waits for the PRACK of the previous one first (§3: one unacknowledged at a time) and
    /// returns once sent; its retransmissions and PRACK are handled from then on.
    /// </summary>
    private async Task SendProvisionalAsync(SipResponse response, CancellationToken cancellationToken)
    {
        var carriesSdp = !response.Body.IsEmpty;
        if (!IsReliable(carriesSdp))
        {
            await _invite.SendResponseAsync(response, cancellationToken);
            return;
        }
        if (_pending is { } previous)
            await Scheduler.WaitAsync(previous.Acknowledged.Task, cancellationToken);
        if (State == SessionState.Ended)
            throw new InvalidOperationException("The call ended before the provisional response could be sent.");
        var rseq = _nextRSeq++;
        response.Headers.Set(SipHeaderNames.Require, SessionHeaders.ReliableTag);
        response.Headers.Set(SessionHeaders.RSeq, rseq.ToString(CultureInfo.InvariantCulture));
        if (!response.Headers.Contains(SipHeaderNames.Contact))
            response.Headers.Add(SipHeaderNames.Contact, Agent.Contact.ToString());
        if (_earlyDialog is null)
        {
            // The PRACK arrives inside the early dialog this 18x creates (§4): route it to us.
            _earlyDialog = SipDialog.CreateAsUas(_invite.Request, response);
            _earlyDialog.LocalContact = Agent.Contact;
            Agent.AddDialog(_earlyDialog, this);
        }
        var pending = new PendingReliable(rseq, response, carriesSdp);
        _pending = pending;
        await _invite.SendResponseAsync(response, cancellationToken);
        Scheduler.Start(() => RetransmitReliableAsync(pending));
    }

    /// <summary>§3: re-send at T1, 2·T1, 4·T1… until the PRACK; after 64·T1 refuse the INVITE (5xx) and end.</summary>
    private async Task RetransmitReliableAsync(PendingReliable pending)
    {
        var time = Agent.Stack.Time;
        var t1 = Agent.Stack.Options.Timers.T1;
        var interval = t1;
        var waited = TimeSpan.Zero;
        while (true)
        {
            var wait = interval < t1 * 64 - waited ? interval : t1 * 64 - waited;
            try
            {
                await pending.Acknowledged.Task.WaitAsync(wait, time, Lifetime);
                return; // PRACKed (or given up because the session ended)
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException)
            {
                pending.Acknowledged.TrySetResult(false);
                return;
            }
            waited += wait;
            if (waited >= t1 * 64)
                break;
            interval *= 2;
            try
            {
                await _invite.SendResponseAsync(pending.Response);
            }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
            {
                // A final response went out (CANCEL → 487, a rejection): nothing left to make reliable.
                pending.Acknowledged.TrySetResult(false);
                return;
            }
        }
        pending.Acknowledged.TrySetResult(false);
        if (State == SessionState.Ended)
            return;
        Log.NoPrack(Logger, CallId, pending.Response.StatusCode, pending.RSeq);
        var refusal = _invite.CreateResponse(500, "Server Internal Error (no PRACK for our reliable provisional response)");
        End(new SessionEnd(SessionEndReason.Failed, 500, refusal.ReasonPhrase, $"the caller never acknowledged our reliable {pending.Response.StatusCode} with PRACK (RFC 3262)"));
        try
        {
            await _invite.SendResponseAsync(refusal);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            Log.RejectFailed(Logger, CallId, e.Message);
        }
    }

    /// <summary>
    /// PRACK in the early dialog (§3): RAck must name the unacknowledged reliable 18x (its RSeq,
    /// the INVITE's CSeq and method), else 481. A PRACK may carry the answer to an offer we sent
    /// in the 18x (§5).
    /// </summary>
    private protected override async Task OnPrackAsync(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        if (_pending is not { } pending || pending.Acknowledged.Task.IsCompleted || State == SessionState.Ended
            || !MatchesRAck(request.Headers[SessionHeaders.RAck], pending.RSeq))
        {
            Agent.Respond(transaction, transaction.CreateResponse(481, "Call/Transaction Does Not Exist (no such reliable provisional response)"));
            return;
        }
        if (_earlyDialog is { } early && !early.AcceptRequest(request))
        {
            Agent.Respond(transaction, transaction.CreateResponse(500, "Server Internal Error (CSeq out of order)"));
            return;
        }
        if (_offerInReliable && pending.CarriesSdp && !_exchangeDoneEarly)
        {
            if (!Bodies.Has(request))
            {
                // §5: the answer to an offer in a reliable 18x must be in its PRACK.
                Agent.Respond(transaction, transaction.CreateResponse(200));
                pending.Acknowledged.TrySetResult(true);
                await RefuseEarlyAsync(488, "the PRACK carried no answer to the offer in our reliable provisional response");
                return;
            }
            try
            {
                await Media.SetRemoteAnswerAsync(Bodies.Text(request), provisional: false, Lifetime);
            }
            catch (SessionMediaException e)
            {
                Agent.Respond(transaction, transaction.CreateResponse(200));
                pending.Acknowledged.TrySetResult(true);
                await RefuseEarlyAsync(488, $"the answer in the PRACK was refused: {e.Message}");
                return;
            }
            _exchangeDoneEarly = true;
        }
        else if (pending.CarriesSdp && !_offerInReliable)
        {
            _exchangeDoneEarly = true; // our answer in the 18x is now known to the caller
        }
        Agent.Respond(transaction, transaction.CreateResponse(200));
        pending.Acknowledged.TrySetResult(true);
    }

    /// <summary>Before the 2xx: wait for the PRACK of a reliable 18x that carried SDP (§3); false when none came.</summary>
    private async Task<bool> AwaitReliableAcknowledgedAsync(CancellationToken cancellationToken)
    {
        // §3 lets the final response overtake an unacknowledged reliable 18x without SDP.
        if (_pending is not { CarriesSdp: true } pending)
            return true;
        return await Scheduler.WaitAsync(pending.Acknowledged.Task, cancellationToken);
    }

    private async Task RefuseEarlyAsync(int status, string why)
    {
        if (State == SessionState.Ended || _answering)
            return;
        var response = _invite.CreateResponse(status);
        End(new SessionEnd(SessionEndReason.Failed, status, response.ReasonPhrase, why));
        try
        {
            await _invite.SendResponseAsync(response);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            Log.RejectFailed(Logger, CallId, e.Message);
        }
    }

    /// <summary>
    /// The early dialog is forgotten with the session; an unacknowledged 18x stops being re-sent; the
    /// INVITE transaction, which lives on, no longer refers to us.
    /// </summary>
    private protected override void OnEnded()
    {
        base.OnEnded();
        _onCancel.Dispose();
        _pending?.Acknowledged.TrySetResult(false);
        if (_earlyDialog is { } early && !ReferenceEquals(early, Dialog))
        {
            early.Terminate();
            Agent.RemoveDialog(early);
        }
    }

    /// <summary>RAck: "response-num CSeq-num method" (RFC 3262 §7.2).</summary>
    private bool MatchesRAck(string? value, long rseq)
    {
        if (value is null)
            return false;
        var parts = value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 3
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number == rseq
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var cseq) && cseq == _invite.Request.CSeq!.Number
            && parts[2].Equals(SipMethods.Invite, StringComparison.Ordinal);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "session {CallId}: no PRACK for our reliable {Status} (RSeq {RSeq}) within 64*T1; refusing the INVITE")]
        public static partial void NoPrack(ILogger logger, string callId, int status, long rseq);
    }
}
