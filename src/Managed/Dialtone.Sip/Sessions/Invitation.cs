using System.Text;
using Dialtone.Sip.Dialogs;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transactions;
using Dialtone.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace Dialtone.Sip.Sessions;

/// <summary>
/// The incoming session (UAS, RFC 3261 §13.3; SIP.js's Invitation): the offer goes to the media
/// handler before anything rings (an offer it cannot take is answered 488 with its reason, a body
/// of another type 415), 180 while the application decides, 183 for early media, 200 with the
/// answer, then the ACK — or Timer L, after which the session ends with BYE. A CANCEL before the
/// answer ends it (the stack answers 487). An INVITE without a body gets our offer in the 200 and
/// the answer in the ACK.
/// </summary>
public sealed partial class Invitation : Session
{
    private readonly SipServerTransaction _invite;
    private readonly bool _offerInInvite;
    private RemoteOfferInfo _offer;
    private string? _earlyAnswer;
    private bool _answering;

    /// <summary>
    /// Our callback on the INVITE transaction's CANCEL; dropped when the session ends, for the
    /// transaction outlives it (RFC 6026: 32 s after a 2xx) and would keep the whole call in memory.
    /// </summary>
    private CancellationTokenRegistration _onCancel;

    private Invitation(SessionAgent agent, SipServerTransaction invite, ISessionMediaHandler media)
        : base(agent, SessionDirection.Incoming, invite.Request.CallId!, invite.Request.To!.WithTag(invite.LocalTag), invite.Request.From!, media, SessionState.Ringing)
    {
        _invite = invite;
        _offerInInvite = Bodies.Has(invite.Request);
        ReadReliableMode();
    }

    /// <summary>
    /// The established session this INVITE replaces (RFC 3891 Replaces), or null. Such an INVITE
    /// is answered by the agent without ringing; the old session then ends with BYE.
    /// </summary>
    public Session? Replaces { get; internal set; }

    /// <summary>The INVITE as it arrived (headers for the application: P-Asserted-Identity, User-Agent…).</summary>
    public SipRequest Request => _invite.Request;

    /// <summary>The handler for a new INVITE, or null after answering 415/488 (unusable body).</summary>
    internal static Invitation? TryCreate(SessionAgent agent, SipServerTransaction transaction)
    {
        var request = transaction.Request;
        string? contentType;
        try
        {
            contentType = request.ContentType?.MediaType;
        }
        catch (SipParseException)
        {
            contentType = null;
        }
        var body = Bodies.Has(request) ? Bodies.Text(request) : null;
        ISessionMediaHandler media;
        try
        {
            media = agent.Options.Media.Create(new SessionMediaRequest(SessionDirection.Incoming, body, contentType, request.RequestUri));
        }
        catch (SessionMediaException e)
        {
            agent.Respond(transaction, NotAcceptable(transaction, e));
            return null;
        }
        if (body is not null && !Bodies.IsType(request, media.ContentType))
        {
            // RFC 3261 §21.4.13: a body we cannot read → 415 with what we take.
            var unsupported = transaction.CreateResponse(415);
            unsupported.Headers.Add(SipHeaderNames.Accept, media.ContentType);
            agent.Respond(transaction, unsupported);
            _ = media.DisposeAsync().AsTask();
            return null;
        }
        return new Invitation(agent, transaction, media);
    }

    /// <summary>Takes the offer and rings (180, unless <paramref name="ring"/> is false); false (after answering 422/488) when it cannot go on.</summary>
    internal async Task<bool> StartAsync(bool ring = true)
    {
        Agent.Track(this);
        if (CheckRequestedInterval(_invite) is { } tooSmall)
        {
            End(new SessionEnd(SessionEndReason.Failed, tooSmall.StatusCode, tooSmall.ReasonPhrase, "the caller asked for a session interval below our Min-SE"));
            Agent.Respond(_invite, tooSmall);
            return false;
        }
        if (_offerInInvite)
        {
            try
            {
                _offer = await Media.SetRemoteOfferAsync(Bodies.Text(_invite.Request), Lifetime);
            }
            catch (SessionMediaException e)
            {
                var notAcceptable = NotAcceptable(_invite, e);
                // Ended before the answer leaves: whoever sees the 488 sees no session left behind.
                End(new SessionEnd(SessionEndReason.Failed, notAcceptable.StatusCode, notAcceptable.ReasonPhrase, e.Message));
                Agent.Respond(_invite, notAcceptable);
                return false;
            }
        }
        _onCancel = _invite.CancellationRequested.Register(() => Scheduler.Start(() =>
        {
            // The stack has answered the CANCEL and the INVITE (487) already.
            if (State is SessionState.Ringing or SessionState.EarlyMedia && Dialog is null)
                End(new SessionEnd(SessionEndReason.RemoteHangup, 487, "Request Terminated", "the caller cancelled"));
            return Task.CompletedTask;
        }));
        if (State == SessionState.Ended)
        {
            _onCancel.Dispose();  // ended meanwhile: OnEnded ran before there was anything to drop
            return false;
        }
        if (!ring)
            return true;
        var ringing = _invite.CreateResponse(180);
        ringing.Headers.Add(SipHeaderNames.Contact, Agent.Contact.ToString());
        try
        {
            if (!_offerInInvite && IsReliable(carriesSdp: false))
            {
                // RFC 3262 §5: an INVITE without an offer gets ours in the first reliable 18x; the answer comes in the PRACK.
                var offer = await Media.CreateOfferAsync(new SessionOfferOptions(), Lifetime);
                ringing.SetBody(Encoding.UTF8.GetBytes(offer), SipContentType.Parse(Media.ContentType));
                _offerInReliable = true;
            }
            await SendProvisionalAsync(ringing, Lifetime);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
            return false; // cancelled (487 already sent) or shut down
        }
        catch (SessionMediaException e)
        {
            await RefuseEarlyAsync(e.StatusCode, $"no offer for the caller's INVITE without one: {e.Message}");
            return false;
        }
        return State != SessionState.Ended;
    }

    /// <summary>
    /// Early media before answering (an IVR prompt, our own ringback): 183 Session Progress with
    /// our answer. <see cref="AcceptAsync"/> later repeats the same answer in the 200.
    /// </summary>
    public Task ProgressAsync(CancellationToken cancellationToken = default) => Scheduler.RunAsync(async () =>
    {
        if (State != SessionState.Ringing || _earlyAnswer is not null || _answering)
            throw new InvalidOperationException($"The call is {State}; early media is for a ringing call, once.");
        if (!_offerInInvite && !CanSendReliably)
            throw new InvalidOperationException("The INVITE carried no offer and the caller does not take reliable provisional responses (100rel), so there is nothing to answer early.");
        var progress = _invite.CreateResponse(183);
        progress.Headers.Add(SipHeaderNames.Contact, Agent.Contact.ToString());
        if (_offerInInvite)
        {
            _earlyAnswer = await Media.CreateAnswerAsync(cancellationToken);
            progress.SetBody(Encoding.UTF8.GetBytes(_earlyAnswer), SipContentType.Parse(Media.ContentType));
        }
        else if (!_offerInReliable)
        {
            // Late offer with 100rel (RFC 3262 §5): our offer in the reliable 183, the caller's answer in its PRACK.
            var offer = await Media.CreateOfferAsync(new SessionOfferOptions(), cancellationToken);
            progress.SetBody(Encoding.UTF8.GetBytes(offer), SipContentType.Parse(Media.ContentType));
            _offerInReliable = true;
        }
        // else: the offer/answer already went through a reliable 180 and its PRACK; the 183 only says "early media".
        await SendProvisionalAsync(progress, cancellationToken);
        SetState(SessionState.EarlyMedia);
    });

    /// <summary>
    /// Answers: 200 with our answer (or our offer, for an INVITE without one), then waits for the
    /// ACK. Completes when the session is established; throws <see cref="SessionEndedException"/>
    /// when it ended first (the caller cancelled, no ACK before Timer L, an unusable answer in the ACK).
    /// </summary>
    public Task AcceptAsync(CancellationToken cancellationToken = default) => Scheduler.RunAsync(async () =>
    {
        if (State == SessionState.Ended)
            throw new SessionEndedException(await Ended); // e.g. the caller cancelled before we got to answer
        if (State is not (SessionState.Ringing or SessionState.EarlyMedia) || _answering)
            throw new InvalidOperationException($"The call is {State}, not ringing.");
        _answering = true;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Lifetime, _invite.CancellationRequested);
        try
        {
            // RFC 3262 §3: no 2xx before the PRACK of a reliable 18x that carried SDP.
            if (!await AwaitReliableAcknowledgedAsync(linked.Token) || State == SessionState.Ended)
                throw new SessionEndedException(await Ended);
            // After a PRACKed 18x with our answer (or our offer answered in the PRACK) the exchange is complete: the 2xx has no SDP.
            var body = _exchangeDoneEarly
                ? null
                : _earlyAnswer
                    ?? (_offerInInvite
                        ? await Media.CreateAnswerAsync(linked.Token)
                        : await Media.CreateOfferAsync(new SessionOfferOptions(), linked.Token));
            if (State == SessionState.Ended || _invite.CancellationRequested.IsCancellationRequested)
                throw new SessionEndedException(await Ended);
            var ok = _invite.CreateResponse(200);
            Agent.AddCommonHeaders(ok);
            var timer = AddTimerToResponse(_invite.Request, ok);
            if (body is not null)
                ok.SetBody(Encoding.UTF8.GetBytes(body), SipContentType.Parse(Media.ContentType));
            var dialog = _earlyDialog ?? SipDialog.CreateAsUas(_invite.Request, ok);
            dialog.LocalContact = Agent.Contact;
            Dialog = dialog;
            Agent.AddDialog(dialog, this);
            await _invite.SendResponseAsync(ok);

            SipRequest ack;
            try
            {
                ack = await Scheduler.WaitAsync(_invite.Acknowledged, Lifetime);
            }
            catch (SipTransactionTimeoutException)
            {
                await FailEstablishedAsync("the caller never acknowledged our 200 OK (Timer L)");
                throw new SessionEndedException(await Ended);
            }
            if (!_offerInInvite && !_exchangeDoneEarly)
            {
                if (!Bodies.Has(ack))
                {
                    await FailEstablishedAsync("the ACK carried no answer to our offer");
                    throw new SessionEndedException(await Ended);
                }
                try
                {
                    await Media.SetRemoteAnswerAsync(Bodies.Text(ack), provisional: false, Lifetime);
                }
                catch (SessionMediaException e)
                {
                    await FailEstablishedAsync($"the answer in the ACK was refused: {e.Message}");
                    throw new SessionEndedException(await Ended);
                }
            }
            dialog.Confirm();
            OnEstablished(_earlyUpdateHold ?? (_offerInInvite && _offer.IsHold));
            OnRefreshAnswered(timer);
        }
        catch (Exception e) when ((e is OperationCanceledException or InvalidOperationException or ObjectDisposedException)
            && (_invite.CancellationRequested.IsCancellationRequested || Lifetime.IsCancellationRequested))
        {
            // The caller cancelled, or the session ended (hangup, shutdown) while we were answering.
            throw new SessionEndedException(await Ended);
        }
    });

    /// <summary>Declines with a final response (486 Busy Here by default; 603 Decline, 480…).</summary>
    public Task RejectAsync(int statusCode = 486, CancellationToken cancellationToken = default)
    {
        if (statusCode is < 300 or > 699)
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "A rejection is a 3xx-6xx status.");
        return Scheduler.RunAsync(async () =>
        {
            if (State is not (SessionState.Ringing or SessionState.EarlyMedia) || _answering)
                throw new InvalidOperationException($"The call is {State}, not ringing.");
            var response = _invite.CreateResponse(statusCode);
            End(new SessionEnd(SessionEndReason.LocalHangup, statusCode, response.ReasonPhrase, "rejected"));
            await _invite.SendResponseAsync(response, cancellationToken);
        });
    }

    /// <summary>Sends the caller elsewhere: a 3xx (302 by default) with <paramref name="target"/> as Contact.</summary>
    public Task RedirectAsync(UriReference target, int statusCode = 302, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (statusCode is < 300 or > 399)
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "A redirect is a 3xx status.");
        return Scheduler.RunAsync(async () =>
        {
            if (State is not (SessionState.Ringing or SessionState.EarlyMedia) || _answering)
                throw new InvalidOperationException($"The call is {State}, not ringing.");
            var response = _invite.CreateResponse(statusCode);
            response.Headers.Add(SipHeaderNames.Contact, new SipAddress(target).ToString());
            End(new SessionEnd(SessionEndReason.LocalHangup, statusCode, response.ReasonPhrase, $"redirected to {target}"));
            await _invite.SendResponseAsync(response, cancellationToken);
        });
    }

    /// <summary>Rejects quietly (queue full, shutdown): no exception when the caller already cancelled.</summary>
    internal async Task RejectQuietlyAsync(int statusCode)
    {
        if (State is not (SessionState.Ringing or SessionState.EarlyMedia) || _answering)
            return;
        var response = _invite.CreateResponse(statusCode);
        End(new SessionEnd(SessionEndReason.LocalHangup, statusCode, response.ReasonPhrase, "rejected"));
        try
        {
            await _invite.SendResponseAsync(response);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            Log.RejectFailed(Logger, CallId, e.Message);
        }
    }

    public override Task TerminateAsync(CancellationToken cancellationToken = default) => Scheduler.RunAsync(async () =>
    {
        switch (State)
        {
            case SessionState.Ended:
                return;
            case SessionState.Established or SessionState.OnHold:
                await ByeOnExecutorAsync(new SessionEnd(SessionEndReason.LocalHangup), cancellationToken);
                return;
            case SessionState.Ringing or SessionState.EarlyMedia when _answering:
                // Answered, ACK not yet in: RFC 3261 §15 lets the callee send BYE only after the ACK
                // (or when it never comes, which ends the session by itself).
                try
                {
                    await Task.WhenAny(Established, Ended).WaitAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    End(new SessionEnd(SessionEndReason.LocalHangup, Detail: "hung up before the ACK arrived"));
                    throw;
                }
                if (State is SessionState.Established or SessionState.OnHold)
                    await ByeOnExecutorAsync(new SessionEnd(SessionEndReason.LocalHangup), cancellationToken);
                return;
            default:
                await RejectQuietlyAsync(603);
                return;
        }
    });

    private protected override async Task OnMediaFailedBeforeEstablishedAsync(SessionEnd end)
    {
        if (_answering)
            End(end);
        else
            await RejectQuietlyAsync(480);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "session {CallId}: rejecting failed: {Error}")]
        public static partial void RejectFailed(ILogger logger, string callId, string error);
    }
}
