using System.Text;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Dialogs;
using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Transactions;
using Dialtone.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace Dialtone.Sip.Sessions;

/// <summary>
/// The outgoing session (UAC, RFC 3261 §13.2; SIP.js's Inviter): INVITE with a complete offer,
/// provisional responses and early media, every early dialog of a forked INVITE tracked
/// (§13.2.2.4: the first 2xx wins, any later 2xx is ACKed and BYEd), digest challenges through
/// <see cref="DigestRetry"/>, 3xx redirects, CANCEL (also racing a 2xx), the ACK, and RFC 6026's
/// re-ACK of retransmitted 2xx. Created by <see cref="SessionAgent.CreateInviter"/>; <see cref="Invite"/> starts it.
/// </summary>
public sealed partial class Inviter : Session
{
    private const int MaxRedirects = 5;
    private readonly UriReference _target;
    private readonly string _fromTag = SipIds.NewTag();
    // Early dialogs by the remote tag, one per fork that answered with a tag (§12.1.2).
    private readonly Dictionary<string, SipDialog> _early = new(StringComparer.Ordinal);
    // Dialogs of 2xx that lost to the first one (or came after we gave up): ACKed again on retransmission.
    private readonly Dictionary<string, SipDialog> _losers = new(StringComparer.Ordinal);
    private SipRequest? _invite;
    private SipClientTransaction? _transaction;
    private string? _earlyMediaTag;
    private bool _cancelRequested;
    private string? _cancelDetail;
    private bool _following;
    private int _started;
    private int _intervalRetries;
    // RFC 3262: the last RSeq acknowledged per early dialog (remote tag).
    private readonly Dictionary<string, long> _reliableSequences = new(StringComparer.Ordinal);
    // The answer a reliable 1xx carried, by remote tag: the 2xx may repeat it or carry none.
    private readonly Dictionary<string, string> _reliableAnswers = new(StringComparer.Ordinal);
    // Late offer: our answer, once given (in a PRACK or the ACK), and the tag of the dialog it went to.
    private string? _lateAnswer;
    private string? _lateAnswerTag;
    private bool _lateAnswerInPrack;
    private CancellationTokenRegistration _callerCancellation;

    internal Inviter(SessionAgent agent, UriReference target, SipAddress to, ISessionMediaHandler media)
        : base(agent, SessionDirection.Outgoing, SipIds.NewCallId(), agent.Options.Identity, to, media, SessionState.Calling)
    {
        _target = target;
        LateOffer = agent.Options.LateOffer;
    }

    /// <summary>
    /// Send the INVITE without an offer (late offer): the callee offers in its 2xx (or a reliable
    /// 18x) and our answer goes in the ACK (or the PRACK). Set before <see cref="Invite"/>;
    /// defaults to <see cref="SessionAgentOptions.LateOffer"/>.
    /// </summary>
    public bool LateOffer
    {
        get;
        set
        {
            if (Volatile.Read(ref _started) != 0)
                throw new InvalidOperationException("The INVITE was already sent.");
            field = value;
        }
    }

    /// <summary>Headers the INVITE carries besides the usual ones (Replaces and Referred-By of a transfer); set before <see cref="Invite"/>.</summary>
    internal List<(string Name, string Value)> ExtraHeaders { get; } = [];

    /// <summary>Whom we call (the Request-URI of the first INVITE).</summary>
    public UriReference Target => _target;

    internal (string CallId, string LocalTag)? DialogKey { get; private set; }

    /// <summary>
    /// Sends the INVITE (in the background: watch <see cref="Session.Established"/> or the events).
    /// <paramref name="cancellationToken"/> cancels the attempt: CANCEL once a provisional response
    /// came, or no INVITE at all if it has not left yet. It has no effect once the call is answered.
    /// </summary>
    public void Invite(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
            throw new InvalidOperationException("The INVITE was already sent.");
        if (cancellationToken.CanBeCanceled)
            _callerCancellation = cancellationToken.Register(() => _ = CancelAsync(CancellationToken.None));
        Scheduler.Start(RunAsync);
    }

    /// <summary>
    /// Cancels the unanswered call (RFC 3261 §9.1) and completes when it ended: on the 487, or,
    /// when the peer answers neither, after <see cref="SessionAgentOptions.CancelTimeout"/>.
    /// If the 2xx wins the race, the call is ACKed and ended with BYE.
    /// </summary>
    public Task CancelAsync(CancellationToken cancellationToken = default) =>
        Scheduler.RunAsync(() => CancelOnExecutorAsync("cancelled", cancellationToken));

    public override Task TerminateAsync(CancellationToken cancellationToken = default) =>
        Scheduler.RunAsync(async () =>
        {
            switch (State)
            {
                case SessionState.Ended:
                    return;
                case SessionState.Established or SessionState.OnHold:
                    await ByeOnExecutorAsync(new SessionEnd(SessionEndReason.LocalHangup), cancellationToken);
                    return;
                default:
                    await CancelOnExecutorAsync("cancelled", cancellationToken);
                    return;
            }
        });

    // ---- on the executor ----

    private async Task RunAsync()
    {
        Agent.Track(this);
        DialogKey = (CallId, _fromTag);
        Agent.TrackInviter(this, CallId, _fromTag);
        try
        {
            if (_cancelRequested)
            {
                End(new SessionEnd(SessionEndReason.LocalHangup, Detail: "cancelled before the INVITE was sent"));
                return;
            }
            var offer = LateOffer ? null : await Media.CreateOfferAsync(new SessionOfferOptions(), Lifetime);
            var invite = SipRequestFactory.Create(SipMethods.Invite, _target, LocalIdentity.WithTag(_fromTag), RemoteIdentity, CallId);
            Agent.AddCommonHeaders(invite);
            AddTimerHeaders(invite);
            foreach (var (name, value) in ExtraHeaders)
                invite.Headers.Add(name, value);
            if (offer is not null)
                invite.SetBody(Encoding.UTF8.GetBytes(offer), SipContentType.Parse(Media.ContentType));
            if (Agent.Options.NoAnswerTimeout is { } noAnswer)
                Scheduler.Start(() => CancelIfUnansweredAsync(noAnswer));
            await SendInviteAsync(invite);
        }
        catch (OperationCanceledException) when (Lifetime.IsCancellationRequested)
        {
            // Ended while setting up (hangup, shutdown): End already ran.
        }
        catch (SipAuthenticationException e)
        {
            End(new SessionEnd(SessionEndReason.Failed, e.StatusCode, "Authentication failed", e.Message));
        }
        catch (SipTransactionTimeoutException e)
        {
            End(new SessionEnd(_cancelRequested ? SessionEndReason.LocalHangup : SessionEndReason.Failed, 408, "Request Timeout", e.Message));
        }
        catch (Exception e)
        {
            End(new SessionEnd(SessionEndReason.Failed, Detail: e.Message));
        }
    }

    private async Task SendInviteAsync(SipRequest invite)
    {
        var retry = Agent.Options.Digest is { } digest ? new DigestRetry(digest) : null;
        var redirects = 0;
        while (true)
        {
            if (_cancelRequested)
            {
                End(new SessionEnd(SessionEndReason.LocalHangup, Detail: "cancelled before the INVITE was sent"));
                return;
            }
            _invite = invite;
            var transaction = await Agent.Stack.StartRequestAsync(invite, Agent.Options.SendOptions, Lifetime);
            _transaction = transaction;
            if (_cancelRequested)
                Scheduler.Start(() => SendCancelAsync(transaction));

            var final = await ReadUntilFinalAsync(invite, transaction);
            if (final.IsSuccess)
            {
                await OnAcceptedAsync(invite, final);
                FollowTransaction(transaction);
                return;
            }
            foreach (var early in _early.Values)
                early.OnCreatingResponse(final);
            _early.Clear();
            switch (final.StatusCode)
            {
                case 401 or 407 when retry is not null && !_cancelRequested:
                    invite = retry.NextAttempt(invite, final);
                    continue;
                case 422 when !_cancelRequested && _intervalRetries++ < MaxIntervalRetries && OnIntervalTooSmall(final):
                    // RFC 4028 §7.1: ask again with the larger Min-SE the callee named.
                    invite = AuthenticatingSender.NextAttempt(invite);
                    AddTimerHeaders(invite);
                    continue;
                case >= 300 and < 400 when !_cancelRequested && final.Contacts.FirstOrDefault() is { IsWildcard: false } contact && redirects++ < MaxRedirects:
                    // RFC 3261 §8.1.3.4: retry at the new target, same dialog identifiers, next CSeq.
                    invite = AuthenticatingSender.NextAttempt(invite);
                    invite.RequestUri = contact.Uri;
                    continue;
            }
            End(_cancelRequested
                ? new SessionEnd(SessionEndReason.LocalHangup, final.StatusCode, final.ReasonPhrase, _cancelDetail)
                : new SessionEnd(SessionEndReason.Rejected, final.StatusCode, final.ReasonPhrase));
            return;
        }
    }

    /// <summary>Handles provisional responses (ringing, early media, early dialogs) and returns the final one.</summary>
    private async Task<SipResponse> ReadUntilFinalAsync(SipRequest invite, SipClientTransaction transaction)
    {
        var reader = transaction.Responses;
        while (await reader.WaitToReadAsync(Lifetime))
        {
            // Ended while we waited: what is left is read by FollowTransaction.
            Lifetime.ThrowIfCancellationRequested();
            while (reader.TryRead(out var response))
            {
                if (response.IsFinal)
                    return response;
                await OnProvisionalAsync(invite, response);
            }
        }
        // The transaction ended without a final response: its task carries the timeout or transport error.
        return await transaction.FinalResponse;
    }

    private async Task OnProvisionalAsync(SipRequest invite, SipResponse response)
    {
        if (response.StatusCode == 100)
            return;
        var tag = response.To?.Tag;
        long? reliable = null;
        if (Agent.Options.ReliableProvisionals && SessionHeaders.Lists(response, SipHeaderNames.Require, SessionHeaders.ReliableTag))
        {
            reliable = SessionHeaders.ReliableSequence(response);
            if (reliable is null || tag is null)
            {
                Log.ReliableWithoutSequence(Logger, CallId, response.StatusCode);
            }
            else if (_reliableSequences.TryGetValue(tag, out var last) && reliable.Value != last + 1)
            {
                // RFC 3262 §4: a retransmission (its PRACK is on its way: the PRACK transaction
                // retransmits by itself) or one out of order: discarded.
                return;
            }
        }
        if (tag is not null)
        {
            if (_early.TryGetValue(tag, out var dialog))
                dialog.OnCreatingResponse(response);
            else if (response.Contacts.Count > 0)
                _early[tag] = SipDialog.CreateAsUac(invite, response);
        }
        if (reliable is { } rseq && tag is not null)
        {
            _reliableSequences[tag] = rseq;
            var answer = await OnReliableBodyAsync(response, tag);
            if (_early.TryGetValue(tag, out var early))
                Scheduler.Start(() => SendPrackAsync(early, response, rseq, answer));
            else
                Log.ReliableWithoutSequence(Logger, CallId, response.StatusCode);
            if (State == SessionState.Calling)
                SetState(SessionState.Ringing);
            return;
        }
        if (LateOffer)
        {
            // Late offer: an unreliable 1xx cannot carry an offer we could answer (RFC 3261 §13.2.1).
            if (State == SessionState.Calling)
                SetState(SessionState.Ringing);
            return;
        }
        if (Bodies.Has(response) && Bodies.IsType(response, Media.ContentType) && (_earlyMediaTag is null || _earlyMediaTag != tag))
        {
            try
            {
                // Each fork's early answer replaces the previous one (the media follows the latest early dialog).
                await Media.SetRemoteAnswerAsync(Bodies.Text(response), provisional: true, Lifetime);
                _earlyMediaTag = tag ?? "";
                SetState(SessionState.EarlyMedia);
                return;
            }
            catch (SessionMediaException e)
            {
                Log.EarlyMediaRefused(Logger, CallId, e.Message);
            }
        }
        if (State == SessionState.Calling)
            SetState(SessionState.Ringing);
    }

    /// <summary>
    /// The body of a reliable 1xx (RFC 3262): the answer to our offer (early media; the 2xx may
    /// leave it out) or, for a late offer, the callee's offer — our answer then goes in the PRACK.
    /// </summary>
    private async Task<string?> OnReliableBodyAsync(SipResponse response, string tag)
    {
        if (!Bodies.Has(response) || !Bodies.IsType(response, Media.ContentType) || _earlyMediaTag is not null)
            return null;
        var body = Bodies.Text(response);
        try
        {
            if (LateOffer)
            {
                await Media.SetRemoteOfferAsync(body, Lifetime);
                var answer = await Media.CreateAnswerAsync(Lifetime);
                _lateAnswer = answer;
                _lateAnswerTag = tag;
                _lateAnswerInPrack = true;
                _earlyMediaTag = tag;
                SetState(SessionState.EarlyMedia);
                return answer;
            }
            await Media.SetRemoteAnswerAsync(body, provisional: true, Lifetime);
            _reliableAnswers[tag] = body;
            _earlyMediaTag = tag;
            SetState(SessionState.EarlyMedia);
        }
        catch (SessionMediaException e)
        {
            Log.EarlyMediaRefused(Logger, CallId, e.Message);
            if (LateOffer)
                Scheduler.Start(() => CancelOnExecutorAsync($"the offer in the {response.StatusCode} was refused: {e.Message}", CancellationToken.None));
        }
        return null;
    }

    /// <summary>PRACK for a reliable 1xx (RFC 3262 §7.2): RAck names its RSeq and the INVITE's CSeq.</summary>
    private async Task SendPrackAsync(SipDialog early, SipResponse response, long rseq, string? answer)
    {
        try
        {
            var prack = early.CreateRequest(SessionHeaders.Prack);
            prack.Headers.Add(SessionHeaders.RAck, $"{rseq} {response.CSeq!.Number} {SipMethods.Invite}");
            if (answer is not null)
                prack.SetBody(Encoding.UTF8.GetBytes(answer), SipContentType.Parse(Media.ContentType));
            var result = await Agent.Stack.SendRequestAsync(prack, Agent.Options.SendOptions, Lifetime);
            if (!result.IsSuccess)
                Log.PrackRefused(Logger, CallId, result.StatusCode);
        }
        catch (Exception e) when (e is SipTransactionTimeoutException or SipTransportException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            Log.PrackRefused(Logger, CallId, 0);
        }
    }

    private async Task OnAcceptedAsync(SipRequest invite, SipResponse success)
    {
        _callerCancellation.Dispose();
        var tag = success.To?.Tag ?? throw new InvalidOperationException("The 2xx to our INVITE has no To tag.");
        if (_early.Remove(tag, out var dialog))
            dialog.OnCreatingResponse(success);
        else
            dialog = SipDialog.CreateAsUac(invite, success);
        // §13.2.2.4: the other early dialogs will never be confirmed by this INVITE's first 2xx.
        foreach (var other in _early.Values)
            other.EndEarly();
        _early.Clear();
        dialog.LocalContact = Agent.Contact;
        Dialog = dialog;
        Agent.AddDialog(dialog, this);
        LearnAllow(success);

        RemoteOfferInfo? lateOffer = null;
        if (LateOffer && !_cancelRequested && _lateAnswer is null)
        {
            // The offer is in the 2xx: our answer must ride on the ACK, so the media comes first.
            if (!Bodies.Has(success) || !Bodies.IsType(success, Media.ContentType))
            {
                await SendAckAsync(success, CancellationToken.None);
                await FailEstablishedAsync("the 2xx to our INVITE without an offer carried no offer");
                return;
            }
            try
            {
                lateOffer = await Media.SetRemoteOfferAsync(Bodies.Text(success), Lifetime);
                _lateAnswer = await Media.CreateAnswerAsync(Lifetime);
                _lateAnswerTag = tag;
            }
            catch (SessionMediaException e)
            {
                await SendAckAsync(success, CancellationToken.None);
                await FailEstablishedAsync($"the offer in the 2xx was refused: {e.Message}");
                return;
            }
        }

        // ACK first: the callee keeps retransmitting its 2xx until it arrives.
        await SendAckAsync(success, CancellationToken.None);

        if (_cancelRequested)
        {
            // CANCEL lost the race with the 2xx (RFC 3261 §15): the call is up, so end it with BYE.
            await ByeOnExecutorAsync(new SessionEnd(SessionEndReason.LocalHangup, 200, success.ReasonPhrase, "cancelled; the 2xx won the race, ended with BYE"), CancellationToken.None);
            return;
        }
        if (LateOffer)
        {
            if (_lateAnswerTag != tag)
            {
                // The answer went to another fork's offer (in its PRACK): this dialog has no agreed media.
                await FailEstablishedAsync("the 2xx came from another fork than the offer we answered");
                return;
            }
            OnEstablished(remoteHold: lateOffer?.IsHold ?? false);
            OnTimerResponse(success);
            return;
        }
        // The answer: in the 2xx, or already in a reliable 1xx of this dialog (RFC 3262: the 2xx may leave it out).
        var answer = Bodies.Has(success) ? Bodies.Text(success) : _reliableAnswers.GetValueOrDefault(tag);
        if (answer is null)
        {
            await FailEstablishedAsync("the 2xx carried no answer to our offer");
            return;
        }
        try
        {
            await Media.SetRemoteAnswerAsync(answer, provisional: false, Lifetime);
        }
        catch (SessionMediaException e)
        {
            await FailEstablishedAsync($"the answer was refused: {e.Message}");
            return;
        }
        OnEstablished(remoteHold: false);
        OnTimerResponse(success);
    }

    private protected override void DecorateAck(SipRequest ack, SipResponse success)
    {
        // Late offer: every ACK of the initial INVITE's 2xx (re-ACKs too, RFC 6026) carries our answer,
        // unless it already went in a PRACK.
        if (_lateAnswer is not null && _invite is { } invite && success.CSeq?.Number == invite.CSeq?.Number
            && !_lateAnswerInPrack)
            ack.SetBody(Encoding.UTF8.GetBytes(_lateAnswer), SipContentType.Parse(Media.ContentType));
    }

    /// <summary>
    /// After the final response (or after the session ended while the INVITE was pending), keeps
    /// reading the transaction: a 2xx retransmission of our dialog is ACKed again (RFC 6026); a 2xx
    /// of another fork, or one that comes after we gave up, is ACKed and ended with BYE (§13.2.2.4).
    /// </summary>
    private void FollowTransaction(SipClientTransaction transaction)
    {
        if (_following)
            return;
        _following = true;
        Scheduler.Start(async () =>
        {
            var reader = transaction.Responses;
            while (await reader.WaitToReadAsync())
            {
                while (reader.TryRead(out var response))
                {
                    if (response.IsSuccess)
                        await OnLateSuccessAsync(response);
                }
            }
        });
    }

    /// <summary>A 2xx after the transaction ended (the agent matched it by Call-ID and our tag).</summary>
    internal Task OnLateForkAsync(SipResponse success) => OnLateSuccessAsync(success);

    private async Task OnLateSuccessAsync(SipResponse success)
    {
        var tag = success.To?.Tag;
        if (tag is null || _invite is null)
            return;
        try
        {
            if (Dialog is { } won && won.Id.RemoteTag == tag)
            {
                await SendAckAsync(success, CancellationToken.None);
                return;
            }
            if (_losers.TryGetValue(tag, out var loser))
            {
                await Agent.Stack.SendAckAsync(loser.CreateAck(success), Agent.Options.SendOptions, CancellationToken.None);
                return;
            }
            var dialog = SipDialog.CreateAsUac(_invite, success);
            dialog.LocalContact = Agent.Contact;
            _losers[tag] = dialog;
            Log.LateFork(Logger, CallId, tag);
            await Agent.Stack.SendAckAsync(dialog.CreateAck(success), Agent.Options.SendOptions, CancellationToken.None);
            var bye = dialog.CreateRequest(SipMethods.Bye);
            // Not awaited here: the next 2xx (a retransmission to re-ACK) must not wait for the BYE's answer.
            Scheduler.Start(() => SendLateByeAsync(bye));
        }
        catch (Exception e) when (e is SipTransportException or SipTransactionTimeoutException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or ArgumentException)
        {
            Log.LateForkFailed(Logger, CallId, e.Message);
        }
    }

    private async Task SendLateByeAsync(SipRequest bye)
    {
        try
        {
            await Agent.Stack.SendRequestAsync(bye, Agent.Options.SendOptions);
        }
        catch (Exception e) when (e is SipTransportException or SipTransactionTimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            Log.LateForkFailed(Logger, CallId, e.Message);
        }
    }

    private async Task CancelOnExecutorAsync(string detail, CancellationToken cancellationToken)
    {
        if (State is SessionState.Ended or SessionState.Established or SessionState.OnHold)
            return;
        if (!_cancelRequested)
        {
            _cancelRequested = true;
            _cancelDetail = detail;
            if (_started == 0)
            {
                End(new SessionEnd(SessionEndReason.LocalHangup, Detail: detail + " before the INVITE was sent"));
                return;
            }
            if (_transaction is { } transaction)
                Scheduler.Start(() => SendCancelAsync(transaction));
        }
        try
        {
            await Ended.WaitAsync(Agent.Options.CancelTimeout, Agent.Stack.Time, cancellationToken);
        }
        catch (TimeoutException)
        {
            End(new SessionEnd(SessionEndReason.LocalHangup, Detail: $"{detail}; no final response to the INVITE"));
        }
    }

    private async Task SendCancelAsync(SipClientTransaction transaction)
    {
        try
        {
            await Agent.Stack.CancelAsync(transaction);
        }
        catch (Exception e) when (e is SipTransactionTimeoutException or SipTransportException or ObjectDisposedException)
        {
            Log.CancelFailed(Logger, CallId, e.Message);
        }
    }

    /// <summary><see cref="SessionAgentOptions.NoAnswerTimeout"/>: cancel a call still unanswered when it runs out.</summary>
    private async Task CancelIfUnansweredAsync(TimeSpan timeout)
    {
        try
        {
            await Task.Delay(timeout, Agent.Stack.Time, Lifetime);
        }
        catch (OperationCanceledException)
        {
            return; // the call ended first
        }
        if (State is SessionState.Calling or SessionState.Ringing or SessionState.EarlyMedia)
            await CancelOnExecutorAsync($"no answer within {timeout.TotalSeconds:0.#} s", CancellationToken.None);
    }

    private protected override Task OnMediaFailedBeforeEstablishedAsync(SessionEnd end) =>
        CancelOnExecutorAsync(end.Detail ?? "media failed", CancellationToken.None);

    private protected override void OnEnded()
    {
        _callerCancellation.Dispose();
        // Ended with the INVITE still pending: a 2xx may still come; it gets its ACK and BYE.
        if (_transaction is { } transaction && !transaction.FinalResponse.IsCompleted)
            FollowTransaction(transaction);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "session {CallId}: early answer refused: {Error}")]
        public static partial void EarlyMediaRefused(ILogger logger, string callId, string error);

        [LoggerMessage(Level = LogLevel.Information, Message = "session {CallId}: a 2xx from another fork (tag {Tag}) after the call was answered or given up: ACK and BYE")]
        public static partial void LateFork(ILogger logger, string callId, string tag);

        [LoggerMessage(Level = LogLevel.Information, Message = "session {CallId}: ending a late fork failed: {Error}")]
        public static partial void LateForkFailed(ILogger logger, string callId, string error);

        [LoggerMessage(Level = LogLevel.Information, Message = "session {CallId}: a reliable {Status} (Require: 100rel) without RSeq, To tag or Contact: not acknowledged")]
        public static partial void ReliableWithoutSequence(ILogger logger, string callId, int status);

        [LoggerMessage(Level = LogLevel.Information, Message = "session {CallId}: PRACK failed ({Status})")]
        public static partial void PrackRefused(ILogger logger, string callId, int status);

        [LoggerMessage(Level = LogLevel.Information, Message = "session {CallId}: CANCEL failed: {Error}")]
        public static partial void CancelFailed(ILogger logger, string callId, string error);
    }
}
