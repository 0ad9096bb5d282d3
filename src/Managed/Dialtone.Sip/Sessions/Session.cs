using System.Text;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Dialogs;
using Dialtone.Sip.Events;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transactions;
using Dialtone.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace Dialtone.Sip.Sessions;

/// <summary>
/// An INVITE session (RFC 3261 §13–15; SIP.js's Session, pjsip's inv_session): its dialog, its
/// state, and everything an established session does — re-INVITE and UPDATE both ways (hold,
/// resume, ICE restart, target refresh), glare (491 and the §14.1 retry), INFO, REFER/NOTIFY as
/// transferor and transferee, BYE, digest challenges inside the dialog. Setting it up is the job of
/// <see cref="Inviter"/> (outgoing) and <see cref="Invitation"/> (incoming).
/// <para>All state lives on the SIP stack's executor (public methods hop onto it), so nothing here
/// takes a lock; every timer comes from the stack's <see cref="TimeProvider"/>. Events are raised
/// in order on the thread pool (<see cref="OrderedEventQueue"/>).</para>
/// </summary>
public abstract partial class Session
{
    private static readonly SipContentType DtmfRelay = new("application", "dtmf-relay");
    private readonly TaskCompletionSource<SessionEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _mediaReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _established = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly OrderedEventQueue _events;
    private volatile SessionState _state;
    private volatile bool _localHold;
    private volatile bool _remoteHold;
    // Local offer/answer operations run one at a time (a chain of tasks on the executor, not a lock).
    private Task _operations = Task.CompletedTask;
    private bool _localOfferPending;
    private TaskCompletionSource? _remoteOfferDone;

    private protected Session(SessionAgent agent, SessionDirection direction, string callId, SipAddress localIdentity, SipAddress remoteIdentity,
        ISessionMediaHandler media, SessionState initial)
    {
        Agent = agent;
        Direction = direction;
        CallId = callId;
        LocalIdentity = localIdentity;
        RemoteIdentity = remoteIdentity;
        Media = media;
        _state = initial;
        Logger = agent.LoggerFactory.CreateLogger<Session>();
        _events = new OrderedEventQueue(Logger, $"session {callId}");
        // Observed so a session that ends before anyone awaits it leaves no unobserved exception.
        _established.Task.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        media.MediaFailed += OnMediaFailed;
        InitializeTimers();
    }

    public string CallId { get; }

    public SessionDirection Direction { get; }

    /// <summary>Our side: From for an outgoing session, To for an incoming one.</summary>
    public SipAddress LocalIdentity { get; }

    /// <summary>The peer: whom we called, or who called us.</summary>
    public SipAddress RemoteIdentity { get; }

    /// <summary>The session's media (created by the agent's factory, released when the session ends).</summary>
    public ISessionMediaHandler Media { get; }

    public SessionState State => _state;

    /// <summary>We put the session on hold.</summary>
    public bool IsLocalHold => _localHold;

    /// <summary>The peer put the session on hold.</summary>
    public bool IsRemoteHold => _remoteHold;

    /// <summary>Completes when the session is established; faults with <see cref="SessionEndedException"/> if it ends first.</summary>
    public Task Established => _established.Task;

    /// <summary>Completes with how the session ended.</summary>
    public Task<SessionEnd> Ended => _ended.Task;

    /// <summary>
    /// Completes once the media handler has been released after the session ended (recordings closed,
    /// sockets and peer connection gone); never faults — a failure to release is logged.
    /// </summary>
    public Task MediaReleased => _mediaReleased.Task;

    /// <summary>Every state change, in order (the last one carries the <see cref="SessionEnd"/>).</summary>
    public event EventHandler<SessionStateChangedEventArgs>? StateChanged;

    /// <summary>A DTMF digit the peer sent as SIP INFO (application/dtmf-relay or application/dtmf).</summary>
    public event EventHandler<SessionDtmfEventArgs>? DtmfReceived;

    /// <summary>The peer transferred us (REFER): <see cref="SessionReferredEventArgs.NewSession"/> calls the target; this session ends once it is answered.</summary>
    public event EventHandler<SessionReferredEventArgs>? Referred;

    internal SessionAgent Agent { get; }

    private protected ILogger Logger { get; }

    private protected CancellationToken Lifetime => _lifetime.Token;

    /// <summary>The confirmed dialog (or the UAS dialog once answered); executor only.</summary>
    private protected SipDialog? Dialog { get; set; }

    private protected SessionScheduler Scheduler => Agent.Scheduler;

    // ---- public operations of an established session ----

    /// <summary>Puts the session on hold: a re-INVITE offering sendonly (RFC 3264 §8.4).</summary>
    public Task HoldAsync(CancellationToken cancellationToken = default) => RenegotiateAsync(SipMethods.Invite, hold: true, iceRestart: false, cancellationToken);

    /// <summary>Takes the session off hold: a re-INVITE offering sendrecv.</summary>
    public Task ResumeAsync(CancellationToken cancellationToken = default) => RenegotiateAsync(SipMethods.Invite, hold: false, iceRestart: false, cancellationToken);

    /// <summary>A re-INVITE with new ICE credentials (a changed network path), keeping the hold state.</summary>
    public Task RestartIceAsync(CancellationToken cancellationToken = default) => RenegotiateAsync(SipMethods.Invite, null, iceRestart: true, cancellationToken);

    /// <summary>
    /// Renegotiates with UPDATE (RFC 3311) instead of re-INVITE: one round trip, no ACK. The peer
    /// must allow UPDATE. <paramref name="hold"/> null keeps the current hold state.
    /// </summary>
    public Task UpdateAsync(bool? hold = null, bool iceRestart = false, CancellationToken cancellationToken = default) =>
        RenegotiateAsync(SipMethods.Update, hold, iceRestart, cancellationToken);

    /// <summary>Sends one DTMF digit as SIP INFO (application/dtmf-relay), for servers that want digits in signalling.</summary>
    public Task SendDtmfInfoAsync(char digit, TimeSpan? duration = null, CancellationToken cancellationToken = default)
    {
        if (!DtmfInfo.IsKey(digit))
            throw new ArgumentOutOfRangeException(nameof(digit), digit, "A DTMF key is 0-9, *, #, A-D.");
        var body = DtmfInfo.Format(digit, duration ?? TimeSpan.FromMilliseconds(160));
        return Scheduler.RunAsync(async () =>
        {
            EnsureEstablished("DTMF needs an established call");
            var info = NewRequest(SipMethods.Info);
            info.SetBody(Encoding.UTF8.GetBytes(body), DtmfRelay);
            var response = await SendInDialogAsync(info, cancellationToken);
            if (!response.IsSuccess)
                throw new InvalidOperationException($"The peer refused the INFO: {response.StatusCode} {response.ReasonPhrase}");
        });
    }

    /// <summary>Ends the established session with BYE (the session is over for us at once, whatever the peer answers).</summary>
    public Task ByeAsync(CancellationToken cancellationToken = default) =>
        Scheduler.RunAsync(() => ByeOnExecutorAsync(new SessionEnd(SessionEndReason.LocalHangup), cancellationToken));

    /// <summary>Ends the session however its state requires: BYE, CANCEL, or a rejection of an unanswered incoming session.</summary>
    public abstract Task TerminateAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Renews the dialog's remote target at the peer: a re-INVITE carrying our current Contact
    /// (e.g. after the flow to the server was recovered), with an ICE restart when asked.
    /// </summary>
    public Task RefreshTargetAsync(bool iceRestart = false, CancellationToken cancellationToken = default) =>
        RenegotiateAsync(SipMethods.Invite, null, iceRestart, cancellationToken);

    internal async Task RefreshTargetQuietlyAsync(bool iceRestart, CancellationToken cancellationToken)
    {
        try
        {
            await RenegotiateOnExecutorAsync(SipMethods.Invite, null, iceRestart, cancellationToken);
        }
        catch (Exception e)
        {
            Log.OperationFailed(Logger, CallId, "target refresh", e.Message);
        }
    }

    /// <summary>Ends the session locally now, without signalling (the peer is unreachable, or shutdown ran out of time).</summary>
    public void ForceEnd(SessionEnd end) => _ = EndNowAsync(end);

    internal Task EndNowAsync(SessionEnd end) => Scheduler.RunAsync(() =>
    {
        End(end);
        return Task.CompletedTask;
    });

    // ---- state (executor) ----

    private protected void SetState(SessionState state)
    {
        var previous = _state;
        if (previous == SessionState.Ended || previous == state)
            return;
        _state = state;
        Log.StateChanged(Logger, CallId, previous, state);
        if (state is SessionState.Established or SessionState.OnHold)
            _established.TrySetResult();
        Raise(StateChanged, new SessionStateChangedEventArgs(previous, state, null));
    }

    /// <summary>Ends the session once: state Ended, tasks completed, dialog forgotten, media released.</summary>
    private protected void End(SessionEnd end)
    {
        var previous = _state;
        if (previous == SessionState.Ended)
            return;
        _state = SessionState.Ended;
        Log.Ended(Logger, CallId, end.ToString());
        if (Dialog is { } dialog)
        {
            dialog.Terminate();
            Agent.RemoveDialog(dialog);
        }
        OnEnded();
        Agent.Forget(this);
        _lifetime.Cancel();
        _established.TrySetException(new SessionEndedException(end));
        _remoteOfferDone?.TrySetResult();
        _ended.TrySetResult(end);
        Raise(StateChanged, new SessionStateChangedEventArgs(previous, SessionState.Ended, end));
        Media.MediaFailed -= OnMediaFailed;
        _ = ReleaseMediaAsync();
    }

    /// <summary>Subclass clean-up when the session ends (timers, transactions).</summary>
    private protected virtual void OnEnded()
    {
    }

    private async Task ReleaseMediaAsync()
    {
        try
        {
            await Media.DisposeAsync();
        }
        catch (Exception e)
        {
            Log.OperationFailed(Logger, CallId, "releasing media", e.Message);
        }
        finally
        {
            _mediaReleased.TrySetResult();
        }
    }

    private void UpdateHoldState()
    {
        if (_state is SessionState.Established or SessionState.OnHold)
            SetState(_localHold || _remoteHold ? SessionState.OnHold : SessionState.Established);
    }

    /// <summary>Marks the session established (after the 2xx/ACK), with the hold state the initial offer set.</summary>
    private protected void OnEstablished(bool remoteHold)
    {
        _remoteHold = remoteHold;
        SetState(remoteHold ? SessionState.OnHold : SessionState.Established);
    }

    private protected void Raise<T>(EventHandler<T>? handler, T args) => _events.Raise(this, handler, args);

    private void EnsureEstablished(string what)
    {
        if (_state is not (SessionState.Established or SessionState.OnHold))
            throw new InvalidOperationException($"The call is {_state}; {what}.");
    }

    // ---- media failure (issue: a call whose media died must end) ----

    private void OnMediaFailed(object? sender, SessionMediaFailedEventArgs e) => Scheduler.Start(async () =>
    {
        if (_state == SessionState.Ended)
            return;
        Log.MediaFailed(Logger, CallId, e.Reason);
        var end = new SessionEnd(SessionEndReason.MediaFailed, Detail: e.Reason);
        if (Dialog is not null && _state is SessionState.Established or SessionState.OnHold)
            await ByeOnExecutorAsync(end, CancellationToken.None);
        else
            await OnMediaFailedBeforeEstablishedAsync(end);
    });

    /// <summary>Media died while the session was being set up: cancel or reject (subclasses).</summary>
    private protected virtual Task OnMediaFailedBeforeEstablishedAsync(SessionEnd end)
    {
        End(end);
        return Task.CompletedTask;
    }

    // ---- sending inside the dialog (executor) ----

    private protected SipRequest NewRequest(string method)
    {
        var dialog = Dialog ?? throw new InvalidOperationException("The call has no dialog yet.");
        dialog.LocalContact = Agent.Contact;
        return dialog.CreateRequest(method);
    }

    /// <summary>
    /// Sends an in-dialog request and returns its final response, answering digest challenges with
    /// the one retry rule (<see cref="DigestRetry"/>); each retry takes the dialog's next CSeq and
    /// the dialog learns it, so later requests count on from there.
    /// </summary>
    private protected async Task<SipResponse> SendInDialogAsync(SipRequest request, CancellationToken cancellationToken)
    {
        var dialog = Dialog!;
        var retry = Agent.Options.Digest is { } digest ? new DigestRetry(digest) : null;
        var current = request;
        while (true)
        {
            var response = await Agent.Stack.SendRequestAsync(current, Agent.Options.SendOptions, cancellationToken);
            if (response.StatusCode is not (401 or 407) || retry is null)
                return response;
            current = retry.NextAttempt(current, response);
            if (dialog.LocalSequence is { } last && current.CSeq!.Number <= last)
                current.CSeq = new SipCSeq(last + 1, current.Method);
            dialog.LearnLocalSequence(current.CSeq!.Number);
        }
    }

    private protected Task SendAckAsync(SipResponse success, CancellationToken cancellationToken)
    {
        var ack = Dialog!.CreateAck(success);
        DecorateAck(ack, success);
        return Agent.Stack.SendAckAsync(ack, Agent.Options.SendOptions, cancellationToken);
    }

    /// <summary>Adds what an ACK must carry (the answer of a late-offer INVITE), for the first ACK and any re-ACK alike.</summary>
    private protected virtual void DecorateAck(SipRequest ack, SipResponse success)
    {
    }

    private protected async Task ByeOnExecutorAsync(SessionEnd end, CancellationToken cancellationToken)
    {
        if (_state == SessionState.Ended)
            return;
        if (Dialog is null)
        {
            End(end);
            return;
        }
        var bye = NewRequest(SipMethods.Bye);
        // The session is over for us whatever the peer answers.
        End(end);
        try
        {
            await SendInDialogAsync(bye, cancellationToken);
        }
        catch (Exception e) when (e is SipTransactionTimeoutException or SipTransportException or SipAuthenticationException or OperationCanceledException or ObjectDisposedException)
        {
            Log.OperationFailed(Logger, CallId, "BYE", e.Message);
        }
    }

    /// <summary>Ends an established session that cannot go on (unusable answer, no ACK): BYE, then Failed.</summary>
    private protected async Task FailEstablishedAsync(string why)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10), Agent.Stack.Time);
        await ByeOnExecutorAsync(new SessionEnd(SessionEndReason.Failed, Detail: why), bound.Token);
    }

    /// <summary>A 2xx to our INVITE retransmitted after its transaction ended: ACK it again (RFC 6026).</summary>
    internal async Task OnStraySuccessAsync(SipResponse success)
    {
        if (Dialog is null || _state == SessionState.Ended)
            return;
        try
        {
            await SendAckAsync(success, Lifetime);
        }
        catch (Exception e) when (e is OperationCanceledException or SipTransportException or InvalidOperationException or ObjectDisposedException)
        {
            Log.OperationFailed(Logger, CallId, "re-ACK", e.Message);
        }
    }

    // ---- offer/answer we start ----

    private Task RenegotiateAsync(string method, bool? hold, bool iceRestart, CancellationToken cancellationToken) =>
        Scheduler.RunAsync(() => RenegotiateOnExecutorAsync(method, hold, iceRestart, cancellationToken));

    private Task RenegotiateOnExecutorAsync(string method, bool? hold, bool iceRestart, CancellationToken cancellationToken) =>
        OneAtATimeAsync(() => RenegotiateCoreAsync(method, hold, iceRestart, cancellationToken));

    /// <summary>One offer of ours by re-INVITE or UPDATE, with the glare and 422 retries; the caller runs it one at a time.</summary>
    private async Task RenegotiateCoreAsync(string method, bool? hold, bool iceRestart, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            EnsureEstablished("only an established call can be renegotiated");
            if (_remoteOfferDone is { } remote)
                await remote.Task; // the peer's offer first; ours would only meet 491/500
            EnsureEstablished("only an established call can be renegotiated");
            var options = new SessionOfferOptions(hold ?? _localHold, iceRestart);
            var response = await SendOfferAsync(method, options, cancellationToken);
            if (response.IsSuccess)
            {
                Dialog!.OnTargetRefreshResponse(response);
                if (method == SipMethods.Invite)
                    await SendAckAsync(response, cancellationToken);
                if (!Bodies.Has(response))
                {
                    await FailEstablishedAsync($"the 2xx to our {method} carried no answer");
                    throw new SessionEndedException(await Ended);
                }
                try
                {
                    await Media.SetRemoteAnswerAsync(Bodies.Text(response), provisional: false, cancellationToken);
                }
                catch (SessionMediaException e)
                {
                    await FailEstablishedAsync($"the answer to our {method} was refused: {e.Message}");
                    throw new SessionEndedException(await Ended);
                }
                _localHold = options.Hold;
                UpdateHoldState();
                OnTimerResponse(response);
                return;
            }

            await Media.RollbackAsync(cancellationToken);
            if (response.StatusCode is 481 or 408)
            {
                // RFC 3261 §12.2.1.2: the dialog is gone.
                End(new SessionEnd(SessionEndReason.Failed, response.StatusCode, response.ReasonPhrase, "the dialog no longer exists"));
                throw new SessionEndedException(await Ended);
            }
            if (response.StatusCode == 491 && attempt < 4)
            {
                await Task.Delay(GlareDelay(), Agent.Stack.Time, cancellationToken);
                continue;
            }
            if (response.StatusCode == 422 && attempt <= MaxIntervalRetries && OnIntervalTooSmall(response))
                continue;
            throw new InvalidOperationException($"The peer refused the {(method == SipMethods.Invite ? "re-INVITE" : method)}: {response.StatusCode} {response.ReasonPhrase}");
        }
    }

    /// <summary>RFC 3261 §14.1: the owner of the Call-ID (the dialog's UAC) waits 2.1–4 s, the other side 0–2 s.</summary>
    private TimeSpan GlareDelay() => Dialog!.IsUac
        ? TimeSpan.FromMilliseconds(Random.Shared.Next(2100, 4001))
        : TimeSpan.FromMilliseconds(Random.Shared.Next(0, 2001));

    private async Task<SipResponse> SendOfferAsync(string method, SessionOfferOptions options, CancellationToken cancellationToken)
    {
        _localOfferPending = true;
        try
        {
            var offer = await Media.CreateOfferAsync(options, cancellationToken);
            var request = NewRequest(method);
            Agent.AddCommonHeaders(request);
            AddTimerHeaders(request);
            request.SetBody(Encoding.UTF8.GetBytes(offer), SipContentType.Parse(Media.ContentType));
            return await SendInDialogAsync(request, cancellationToken);
        }
        catch
        {
            await RollbackQuietlyAsync();
            throw;
        }
        finally
        {
            _localOfferPending = false;
        }
    }

    private async Task RollbackQuietlyAsync()
    {
        try
        {
            await Media.RollbackAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            Log.OperationFailed(Logger, CallId, "rollback", e.Message);
        }
    }

    /// <summary>Runs local operations (offers, REFER) one after another: each starts when the previous one ended.</summary>
    private protected Task OneAtATimeAsync(Func<Task> operation)
    {
        var previous = _operations;
        var mine = Run();
        _operations = mine.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return mine;

        async Task Run()
        {
            await previous;
            await operation();
        }
    }

    // ---- requests from the peer inside the dialog ----

    internal async Task OnInDialogRequestAsync(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        try
        {
            if (request.Method == SipMethods.Prack)
            {
                // In the early dialog of a reliable provisional response (RFC 3262), before any confirmed dialog.
                await OnPrackAsync(transaction);
                return;
            }
            if (request.Method == SipMethods.Update && Dialog is null && _state != SessionState.Ended)
            {
                // UPDATE in the early dialog of a reliable provisional response (RFC 3311 §5.1).
                await OnEarlyUpdateAsync(transaction);
                return;
            }
            if (_state == SessionState.Ended || Dialog is not { } dialog)
            {
                Agent.Respond(transaction, transaction.CreateResponse(481));
                return;
            }
            if (!dialog.AcceptRequest(request))
            {
                Agent.Respond(transaction, transaction.CreateResponse(500, "Server Internal Error (CSeq out of order)"));
                return;
            }
            switch (request.Method)
            {
                case SipMethods.Bye:
                    Agent.Respond(transaction, transaction.CreateResponse(200));
                    // The consultation call of our attended transfer is ended by the target that replaced it: Transferred.
                    End(_replacedByTransfer ?? new SessionEnd(SessionEndReason.RemoteHangup));
                    break;
                case SipMethods.Invite or SipMethods.Update:
                    await OnRemoteOfferAsync(transaction);
                    break;
                case SipMethods.Info:
                    OnInfo(transaction);
                    break;
                case SipMethods.Refer:
                    await OnReferAsync(transaction);
                    break;
                case SipMethods.Notify:
                    OnNotify(transaction);
                    break;
                case SipMethods.Options:
                    var ok = transaction.CreateResponse(200);
                    Agent.AddCommonHeaders(ok);
                    Agent.Respond(transaction, ok);
                    break;
                default:
                    var notAllowed = transaction.CreateResponse(405);
                    notAllowed.Headers.Add(SipHeaderNames.Allow, Agent.AllowHeader);
                    Agent.Respond(transaction, notAllowed);
                    break;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or SipTransportException or OperationCanceledException or SipParseException or ObjectDisposedException)
        {
            Log.OperationFailed(Logger, CallId, request.Method, e.Message);
        }
    }

    /// <summary>PRACK (RFC 3262): only a callee that sent a reliable provisional response expects one; anything else is 481.</summary>
    private protected virtual Task OnPrackAsync(SipServerTransaction transaction)
    {
        Agent.Respond(transaction, transaction.CreateResponse(481, "Call/Transaction Does Not Exist (no reliable provisional response to acknowledge)"));
        return Task.CompletedTask;
    }

    /// <summary>UPDATE before the session is established: only a callee with an early dialog takes one; anything else is 481.</summary>
    private protected virtual Task OnEarlyUpdateAsync(SipServerTransaction transaction)
    {
        Agent.Respond(transaction, transaction.CreateResponse(481));
        return Task.CompletedTask;
    }

    /// <summary>A re-INVITE or UPDATE from the peer: with an offer (hold, resume, ICE restart, new target) or, for re-INVITE, asking for ours.</summary>
    private async Task OnRemoteOfferAsync(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        if (CheckRequestedInterval(transaction) is { } tooSmall)
        {
            Agent.Respond(transaction, tooSmall);
            return;
        }
        if (request.Method == SipMethods.Update && !Bodies.Has(request))
        {
            // A refresh without an offer (RFC 4028 §7.4): nothing for the media, no glare.
            var refreshed = transaction.CreateResponse(200);
            Agent.AddCommonHeaders(refreshed);
            var settled = AddTimerToResponse(request, refreshed);
            await transaction.SendResponseAsync(refreshed);
            OnRefreshAnswered(settled);
            return;
        }
        if (_localOfferPending)
        {
            // Our own offer is outstanding: glare (RFC 3261 §14.2, RFC 3311 §5.2).
            Agent.Respond(transaction, transaction.CreateResponse(491));
            return;
        }
        if (_remoteOfferDone is not null)
        {
            // The peer's previous offer is still being answered (§14.2: 500 with Retry-After).
            var busy = transaction.CreateResponse(500, "Server Internal Error (offer in progress)");
            busy.Headers.Add(SipHeaderNames.RetryAfter, Random.Shared.Next(0, 11).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Agent.Respond(transaction, busy);
            return;
        }
        var done = new TaskCompletionSource();
        _remoteOfferDone = done;
        try
        {
            var token = Lifetime;
            string? answer = null;
            RemoteOfferInfo? offer = null;
            if (Bodies.Has(request))
            {
                if (!Bodies.IsType(request, Media.ContentType))
                {
                    var unsupported = transaction.CreateResponse(415);
                    unsupported.Headers.Add(SipHeaderNames.Accept, Media.ContentType);
                    Agent.Respond(transaction, unsupported);
                    return;
                }
                try
                {
                    offer = await Media.SetRemoteOfferAsync(Bodies.Text(request), token);
                    answer = await Media.CreateAnswerAsync(token);
                }
                catch (SessionMediaException e)
                {
                    Agent.Respond(transaction, NotAcceptable(transaction, e));
                    return;
                }
            }
            else if (request.Method == SipMethods.Invite)
            {
                answer = await Media.CreateOfferAsync(new SessionOfferOptions(_localHold), token);
            }

            var ok = transaction.CreateResponse(200);
            Agent.AddCommonHeaders(ok);
            var timer = AddTimerToResponse(request, ok);
            if (answer is not null)
                ok.SetBody(Encoding.UTF8.GetBytes(answer), SipContentType.Parse(Media.ContentType));
            await transaction.SendResponseAsync(ok);

            if (request.Method == SipMethods.Invite)
            {
                var ack = await Scheduler.WaitAsync(transaction.Acknowledged, token);
                if (offer is null && Bodies.Has(ack))
                    await Media.SetRemoteAnswerAsync(Bodies.Text(ack), provisional: false, token);
            }
            if (offer is { } applied)
            {
                _remoteHold = applied.IsHold;
                UpdateHoldState();
            }
            OnRefreshAnswered(timer);
        }
        catch (SipTransactionTimeoutException)
        {
            await FailEstablishedAsync("the peer never acknowledged our answer to its re-INVITE (Timer L)");
        }
        catch (SessionMediaException e)
        {
            await FailEstablishedAsync($"the answer in the ACK was refused: {e.Message}");
        }
        finally
        {
            _remoteOfferDone = null;
            done.TrySetResult();
        }
    }

    /// <summary>488 with a Warning (RFC 3261 §20.43) carrying the media handler's reason.</summary>
    private protected static SipResponse NotAcceptable(SipServerTransaction transaction, SessionMediaException e)
    {
        var response = transaction.CreateResponse(e.StatusCode);
        var text = e.Message.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
        response.Headers.Add(SipHeaderNames.Warning, $"{e.WarningCode} {transaction.Transport.LocalHostPort.Host} \"{text}\"");
        return response;
    }

    /// <summary>INFO: DTMF as application/dtmf-relay or application/dtmf; other packages are refused 415.</summary>
    private void OnInfo(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        var type = request.ContentType;
        if (type is null || !(type.Is("application", "dtmf-relay") || type.Is("application", "dtmf")))
        {
            var unsupported = transaction.CreateResponse(415);
            unsupported.Headers.Add(SipHeaderNames.Accept, "application/dtmf-relay, application/dtmf");
            Agent.Respond(transaction, unsupported);
            return;
        }
        var (digit, duration) = DtmfInfo.Parse(Bodies.Text(request), type.Is("application", "dtmf"));
        if (digit is null)
        {
            Agent.Respond(transaction, transaction.CreateResponse(400, "Bad Request (no DTMF signal in the body)"));
            return;
        }
        // Queued before the 200 goes out: the next INFO may arrive as soon as the peer sees it, and
        // digits must reach the application in the order they were sent.
        Raise(DtmfReceived, new SessionDtmfEventArgs(digit.Value, duration));
        Agent.Respond(transaction, transaction.CreateResponse(200));
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "session {CallId}: {Previous} -> {State}")]
        public static partial void StateChanged(ILogger logger, string callId, SessionState previous, SessionState state);

        [LoggerMessage(Level = LogLevel.Information, Message = "session {CallId} ended: {End}")]
        public static partial void Ended(ILogger logger, string callId, string end);

        [LoggerMessage(Level = LogLevel.Warning, Message = "session {CallId}: media failed: {Reason}")]
        public static partial void MediaFailed(ILogger logger, string callId, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "session {CallId}: {What} failed: {Error}")]
        public static partial void OperationFailed(ILogger logger, string callId, string what, string error);
    }
}
