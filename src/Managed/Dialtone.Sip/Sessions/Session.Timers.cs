using Dialtone.Sip.Message;
using Dialtone.Sip.Transactions;
using Microsoft.Extensions.Logging;

namespace Dialtone.Sip.Sessions;

/// <summary>The interval a session's timer runs with and who refreshes it (RFC 4028).</summary>
/// <param name="Interval">The negotiated Session-Expires.</param>
/// <param name="LocalRefresher">We send the refreshes (every half interval); otherwise we expect them and end the session without.</param>
public sealed record SessionTimerInfo(TimeSpan Interval, bool LocalRefresher);

/// <summary>
/// RFC 4028 session timers. Every INVITE, re-INVITE and UPDATE we send asks for an interval
/// (Session-Expires, Min-SE) and every 2xx to them settles it; every one we receive is checked
/// (422 below our Min-SE) and answered with the interval and the refresher. The refresher sends a
/// refresh (UPDATE without a body when the peer allows UPDATE, else a re-INVITE) at half the
/// interval; without a refresh the session ends with BYE at interval − min(32 s, interval/3) (§10).
/// </summary>
public abstract partial class Session
{
    private protected const int MaxIntervalRetries = 3;
    private volatile SessionTimerInfo? _timer;
    private TimeSpan _minimumInterval;
    private TimeSpan _requestedInterval;
    private int _timerGeneration;
    private CancellationTokenSource? _timerRun;
    private bool _peerAllowsUpdate;

    /// <summary>The session timer in force (RFC 4028), or null when the session has none.</summary>
    public SessionTimerInfo? SessionTimer => _timer;

    private SessionTimerOptions Timers => Agent.Options.SessionTimers;

    private void InitializeTimers()
    {
        _minimumInterval = Timers.MinimumInterval;
        _requestedInterval = Timers.Interval;
    }

    /// <summary>Remembers whether the peer allows UPDATE (its Allow), so refreshes can use it.</summary>
    private protected void LearnAllow(SipMessage message)
    {
        if (message.Headers.Contains(SipHeaderNames.Allow))
            _peerAllowsUpdate = SessionHeaders.Lists(message, SipHeaderNames.Allow, SipMethods.Update);
    }

    // ---- requests we send ----

    /// <summary>Session-Expires (with our current refresher role once one is settled) and Min-SE on an INVITE/UPDATE we send.</summary>
    private protected void AddTimerHeaders(SipRequest request)
    {
        if (!Timers.Enabled)
            return;
        var interval = _requestedInterval > _minimumInterval ? _requestedInterval : _minimumInterval;
        var value = SessionHeaders.Seconds(interval);
        if (_timer is { } current)
            value += current.LocalRefresher ? ";refresher=uac" : ";refresher=uas";
        request.Headers.Set(SipHeaderNames.SessionExpires, value);
        request.Headers.Set(SessionHeaders.MinSE, SessionHeaders.Seconds(_minimumInterval));
    }

    /// <summary>A 422 to our request: ask for at least its Min-SE next time; false when that cannot help.</summary>
    private protected bool OnIntervalTooSmall(SipResponse response)
    {
        if (!Timers.Enabled || SessionHeaders.MinimumInterval(response) is not { } minimum)
            return false;
        var asked = _requestedInterval > _minimumInterval ? _requestedInterval : _minimumInterval;
        if (minimum <= asked)
            return false;
        Log.IntervalTooSmall(Logger, CallId, asked.TotalSeconds, minimum.TotalSeconds);
        _minimumInterval = minimum;
        _requestedInterval = minimum;
        return true;
    }

    /// <summary>The 2xx to an INVITE/re-INVITE/UPDATE we sent settles the timer: its Session-Expires, or none (§7.2).</summary>
    private protected void OnTimerResponse(SipResponse success)
    {
        LearnAllow(success);
        if (!Timers.Enabled)
            return;
        if (SessionHeaders.SessionExpires(success) is { } expires)
            ArmSessionTimer(new SessionTimerInfo(expires.Interval, LocalRefresher: expires.Refresher != "uas"));
        else if (_timer is { LocalRefresher: true } current && !SessionHeaders.Lists(success, SipHeaderNames.Supported, SessionHeaders.TimerTag))
            ArmSessionTimer(current); // a peer without the extension answers our refreshes without it (§9: we refresh for both)
        else
            DisarmSessionTimer(); // §7.2: no Session-Expires in the 2xx, no session expiration
    }

    // ---- requests we receive ----

    /// <summary>An INVITE/re-INVITE/UPDATE asking for less than our Min-SE gets this 422 (§9); null when acceptable.</summary>
    private protected SipResponse? CheckRequestedInterval(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        LearnAllow(request);
        if (!Timers.Enabled || SessionHeaders.SessionExpires(request) is not { } expires || expires.Interval >= Timers.MinimumInterval)
            return null;
        var tooSmall = transaction.CreateResponse(422, "Session Interval Too Small");
        tooSmall.Headers.Add(SessionHeaders.MinSE, SessionHeaders.Seconds(Timers.MinimumInterval));
        return tooSmall;
    }

    /// <summary>
    /// Puts the settled interval and refresher in our 2xx to <paramref name="request"/> (§9) and returns
    /// them, to arm once the exchange completed; null when timers are off.
    /// </summary>
    private protected SessionTimerInfo? AddTimerToResponse(SipRequest request, SipResponse ok)
    {
        if (!Timers.Enabled)
            return null;
        var peerSupports = SessionHeaders.Lists(request, SipHeaderNames.Supported, SessionHeaders.TimerTag);
        TimeSpan interval;
        string? refresher = null;
        if (SessionHeaders.SessionExpires(request) is { } expires)
        {
            interval = expires.Interval;
            refresher = expires.Refresher;
        }
        else
        {
            // The peer asked for none: we may ask for ours, not below the Min-SE it may have sent.
            interval = SessionHeaders.MinimumInterval(request) is { } floor && floor > Timers.Interval ? floor : Timers.Interval;
        }
        // A peer without the extension cannot refresh; one with it refreshes unless it asked us to.
        refresher = !peerSupports ? "uas" : refresher ?? "uac";
        ok.Headers.Set(SipHeaderNames.SessionExpires, $"{SessionHeaders.Seconds(interval)};refresher={refresher}");
        if (refresher == "uac")
            ok.Headers.Add(SipHeaderNames.Require, SessionHeaders.TimerTag);
        return new SessionTimerInfo(interval, LocalRefresher: refresher == "uas");
    }

    /// <summary>After answering a refresh (or the initial INVITE): the timer starts over with what our 2xx said.</summary>
    private protected void OnRefreshAnswered(SessionTimerInfo? settled)
    {
        if (settled is { } info)
            ArmSessionTimer(info);
        else
            DisarmSessionTimer();
    }

    // ---- the timer ----

    private void ArmSessionTimer(SessionTimerInfo info)
    {
        if (State is not (SessionState.Established or SessionState.OnHold))
            return;
        _timer = info;
        _requestedInterval = info.Interval;
        var generation = ++_timerGeneration;
        var previous = _timerRun;
        var run = CancellationTokenSource.CreateLinkedTokenSource(Lifetime);
        _timerRun = run;
        previous?.Cancel();
        previous?.Dispose();
        Log.TimerArmed(Logger, CallId, info.Interval.TotalSeconds, info.LocalRefresher ? "we refresh" : "the peer refreshes");
        Scheduler.Start(() => RunSessionTimerAsync(generation, info, run.Token));
    }

    private void DisarmSessionTimer()
    {
        if (_timer is null)
            return;
        _timer = null;
        _timerGeneration++;
        _timerRun?.Cancel();
    }

    private async Task RunSessionTimerAsync(int generation, SessionTimerInfo info, CancellationToken token)
    {
        // §10: the session expires this long before the interval runs out (room for the BYE).
        var thirds = info.Interval / 3;
        var expiry = info.Interval - (thirds < TimeSpan.FromSeconds(32) ? thirds : TimeSpan.FromSeconds(32));
        var waited = TimeSpan.Zero;
        try
        {
            if (info.LocalRefresher)
            {
                waited = info.Interval / 2;
                await Task.Delay(waited, Agent.Stack.Time, token);
                await RefreshSessionQuietlyAsync();
                if (generation != _timerGeneration)
                    return; // the refresh settled a new timer (or turned it off)
            }
            await Task.Delay(expiry - waited, Agent.Stack.Time, token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        if (generation != _timerGeneration || State is not (SessionState.Established or SessionState.OnHold))
            return;
        var detail = info.LocalRefresher
            ? $"our session refresh did not succeed within the {info.Interval.TotalSeconds:0} s session interval (RFC 4028)"
            : $"the peer did not refresh the session within its {info.Interval.TotalSeconds:0} s interval (RFC 4028)";
        await ByeOnExecutorAsync(new SessionEnd(SessionEndReason.SessionExpired, Detail: detail), CancellationToken.None);
    }

    /// <summary>Refreshes the session now (the refresher's half-interval job; also public for tests and keep-alive use).</summary>
    public Task RefreshSessionAsync(CancellationToken cancellationToken = default) =>
        Scheduler.RunAsync(() => OneAtATimeAsync(() => RefreshCoreAsync(cancellationToken)));

    private async Task RefreshSessionQuietlyAsync()
    {
        try
        {
            await OneAtATimeAsync(() => RefreshCoreAsync(Lifetime));
        }
        catch (Exception e)
        {
            Log.OperationFailed(Logger, CallId, "session refresh", e.Message);
        }
    }

    /// <summary>
    /// UPDATE without a body when the peer allows it and <see cref="SessionTimerOptions.RefreshByUpdate"/>
    /// (RFC 4028 §7.4 prefers it: no media work); else, or when refused, a re-INVITE.
    /// </summary>
    private async Task RefreshCoreAsync(CancellationToken cancellationToken)
    {
        EnsureEstablished("only an established call can be refreshed");
        if (_peerAllowsUpdate && Timers.RefreshByUpdate)
        {
            for (var attempt = 1; attempt <= MaxIntervalRetries; attempt++)
            {
                EnsureEstablished("only an established call can be refreshed");
                var update = NewRequest(SipMethods.Update);
                Agent.AddCommonHeaders(update);
                AddTimerHeaders(update);
                var response = await SendInDialogAsync(update, cancellationToken);
                if (response.IsSuccess)
                {
                    Dialog!.OnTargetRefreshResponse(response);
                    OnTimerResponse(response);
                    return;
                }
                if (response.StatusCode is 481 or 408)
                {
                    End(new SessionEnd(SessionEndReason.Failed, response.StatusCode, response.ReasonPhrase, "the dialog no longer exists (session refresh)"));
                    throw new SessionEndedException(await Ended);
                }
                if (response.StatusCode == 422 && OnIntervalTooSmall(response))
                    continue;
                if (response.StatusCode == 491)
                {
                    await Task.Delay(GlareDelay(), Agent.Stack.Time, cancellationToken);
                    continue;
                }
                Log.UpdateRefused(Logger, CallId, response.StatusCode);
                break;
            }
            _peerAllowsUpdate = false;
        }
        await RenegotiateCoreAsync(SipMethods.Invite, null, iceRestart: false, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "session {CallId}: session timer {Seconds} s, {Who}")]
        public static partial void TimerArmed(ILogger logger, string callId, double seconds, string who);

        [LoggerMessage(Level = LogLevel.Information, Message = "session {CallId}: 422, the peer wants at least {Minimum} s (we asked {Asked} s): asking again")]
        public static partial void IntervalTooSmall(ILogger logger, string callId, double asked, double minimum);

        [LoggerMessage(Level = LogLevel.Information, Message = "session {CallId}: the peer refused the refreshing UPDATE ({Status}): refreshing with re-INVITE from now on")]
        public static partial void UpdateRefused(ILogger logger, string callId, int status);
    }
}
