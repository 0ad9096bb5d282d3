using System.Text;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transactions;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Sessions;

// Blind transfer (RFC 3515 REFER with its implicit subscription, RFC 3420 sipfrag NOTIFYs), as the
// transferor (we send REFER) and as the transferee (we receive it and call the target).
public abstract partial class Session
{
    private static readonly SipContentType Sipfrag = SipContentType.Parse("message/sipfrag;version=2.0");
    private TaskCompletionSource<int>? _transferOutcome;
    // Set on the consultation call of our attended transfer: when its peer (the target) ends it, that is the transfer.
    private SessionEnd? _replacedByTransfer;

    /// <summary>
    /// Transfers the peer to <paramref name="target"/>: sends REFER, waits (at most
    /// <paramref name="timeout"/>, 60 s by default) for the peer's report of its call to the target,
    /// and ends this session with BYE once that call is answered. Returns the target's final status
    /// (2xx on success); the session stays up when the transfer fails.
    /// </summary>
    public Task<int> ReferAsync(UriReference target, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Scheduler.RunAsync(() => ReferCoreAsync(new SipAddress(target), target.ToString(), null, timeout, cancellationToken));
    }

    /// <summary>
    /// Attended transfer (RFC 5589 §7, RFC 3891): the peer calls the party of <paramref name="consultation"/>
    /// with an INVITE that replaces that call — REFER whose Refer-To carries
    /// <c>?Replaces=&lt;call-id&gt;%3Bto-tag%3D…%3Bfrom-tag%3D…</c> of the consultation dialog. Once the peer
    /// reports its new call answered, this session ends with BYE (<see cref="SessionEndReason.Transferred"/>);
    /// the consultation session is ended by the target that replaced it (also Transferred), or by us
    /// with BYE if the target has not done so within 64·T1. Returns the target's final status; both
    /// sessions stay up when the transfer fails.
    /// </summary>
    public Task<int> ReferAsync(Session consultation, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consultation);
        if (ReferenceEquals(consultation, this))
            throw new ArgumentException("A call cannot be transferred to itself.", nameof(consultation));
        if (consultation.Agent != Agent)
            throw new ArgumentException("The consultation call belongs to another user agent.", nameof(consultation));
        return Scheduler.RunAsync(async () =>
        {
            if (consultation.State is not (SessionState.Established or SessionState.OnHold) || consultation.Dialog is not { } dialog)
                throw new InvalidOperationException($"The consultation call is {consultation.State}; an attended transfer needs it established.");
            if (consultation.RemoteIdentity.SipUri is not { } targetUri)
                throw new InvalidOperationException("The consultation call's peer has no SIP URI to transfer to.");
            // RFC 3891 §3: to-tag and from-tag as the target sees its dialog (its tag is our remote tag).
            var replaces = $"{dialog.Id.CallId};to-tag={dialog.Id.RemoteTag};from-tag={dialog.Id.LocalTag}";
            var referTo = new SipAddress(targetUri with
            {
                Parameters = SipParameters.Empty,
                Headers = SipParameters.Create(new SipParameter(SessionHeaders.Replaces, SessionHeaders.EscapeUriHeaderValue(replaces))),
            }, consultation.RemoteIdentity.DisplayName);
            var transferred = new SessionEnd(SessionEndReason.Transferred, Detail: $"replaced at {targetUri} by the transferred call (attended transfer)");
            consultation._replacedByTransfer = transferred;
            int status;
            try
            {
                status = await ReferCoreAsync(referTo, $"{targetUri} (attended, replacing {dialog.Id.CallId})", consultation, timeout, cancellationToken);
            }
            catch
            {
                consultation._replacedByTransfer = null;
                throw;
            }
            if (status is not (>= 200 and < 300))
            {
                consultation._replacedByTransfer = null;
                return status;
            }
            Scheduler.Start(() => consultation.EndAfterReplacementAsync(transferred));
            return status;
        });
    }

    /// <summary>The target should BYE the consultation call it replaced; if it has not within 64·T1, we do.</summary>
    private async Task EndAfterReplacementAsync(SessionEnd transferred)
    {
        try
        {
            await Ended.WaitAsync(Agent.Stack.Options.Timers.TransactionTimeout, Agent.Stack.Time);
        }
        catch (TimeoutException)
        {
            await ByeOnExecutorAsync(transferred, CancellationToken.None);
        }
    }

    private async Task<int> ReferCoreAsync(SipAddress referTo, string description, Session? consultation, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var outcome = new TaskCompletionSource<int>();
        await OneAtATimeAsync(async () =>
        {
            EnsureEstablished("only an established call can be transferred");
            _transferOutcome = outcome;
            var refer = NewRequest(SipMethods.Refer);
            refer.Headers.Add(SipHeaderNames.ReferTo, referTo.ToString());
            refer.Headers.Add(SipHeaderNames.ReferredBy, new SipAddress(LocalIdentity.Uri, LocalIdentity.DisplayName).ToString());
            var response = await SendInDialogAsync(refer, cancellationToken);
            if (!response.IsSuccess)
                throw new InvalidOperationException($"The peer refused the transfer: {response.StatusCode} {response.ReasonPhrase}");
        });
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Lifetime);
        int status;
        try
        {
            status = await outcome.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(60), Agent.Stack.Time, ended.Token);
        }
        catch (OperationCanceledException) when (Lifetime.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new SessionEndedException(await Ended);
        }
        if (status is >= 200 and < 300)
            await ByeOnExecutorAsync(new SessionEnd(SessionEndReason.Transferred, Detail: $"transferred to {description}"), cancellationToken);
        return status;
    }

    /// <summary>NOTIFY for our REFER: its sipfrag carries the status of the peer's call to the target.</summary>
    private void OnNotify(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        var isRefer = request.Headers[SipHeaderNames.Event] is { } ev && ev.Split(';')[0].Trim().Equals("refer", StringComparison.OrdinalIgnoreCase);
        if (!isRefer)
        {
            Agent.Respond(transaction, transaction.CreateResponse(489));
            return;
        }
        Agent.Respond(transaction, transaction.CreateResponse(200));
        if (ParseSipfragStatus(Bodies.Text(request)) is { } status and >= 200 && _transferOutcome is { } outcome)
        {
            // The transferee may hang up before our own BYE goes out: that is still the transfer.
            if (status is < 300 && !outcome.Task.IsCompleted)
                _replacedByTransfer = new SessionEnd(SessionEndReason.Transferred, Detail: "transferred; the peer left once it reached the target");
            outcome.TrySetResult(status);
        }
    }

    /// <summary>The peer transfers us: accept, call the target, report progress by NOTIFY, leave once it answered.</summary>
    private async Task OnReferAsync(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        SipAddress? referTo;
        try
        {
            referTo = request.AddressList(SipHeaderNames.ReferTo).FirstOrDefault();
        }
        catch (SipParseException)
        {
            referTo = null;
        }
        if (referTo?.SipUri is not { } referUri)
        {
            Agent.Respond(transaction, transaction.CreateResponse(400, "Bad Request (Refer-To must be one SIP URI)"));
            return;
        }
        var target = referUri with { Headers = SipParameters.Empty };
        // Attended transfer: Refer-To's Replaces header goes into our INVITE (RFC 3891 §5), unescaped.
        string? replaces = null;
        if (referUri.Headers.Get(SessionHeaders.Replaces) is { } escaped)
        {
            replaces = SessionHeaders.UnescapeUriHeaderValue(escaped);
            if (string.IsNullOrWhiteSpace(replaces))
            {
                Agent.Respond(transaction, transaction.CreateResponse(400, "Bad Request (malformed Replaces in Refer-To)"));
                return;
            }
        }
        Agent.Respond(transaction, transaction.CreateResponse(202));
        await NotifyTransferProgressAsync("SIP/2.0 100 Trying", final: false);

        Inviter replacement;
        try
        {
            replacement = Agent.CreateInviter(target);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or ObjectDisposedException or SessionMediaException)
        {
            await NotifyTransferProgressAsync("SIP/2.0 503 Service Unavailable", final: true);
            return;
        }
        if (replaces is not null)
        {
            replacement.ExtraHeaders.Add((SessionHeaders.Replaces, replaces));
            replacement.ExtraHeaders.Add((SipHeaderNames.Require, SessionHeaders.ReplacesTag));
        }
        // RFC 3892: the target learns who sent us.
        if (request.Headers[SipHeaderNames.ReferredBy] is { } referredBy)
            replacement.ExtraHeaders.Add((SipHeaderNames.ReferredBy, referredBy));
        Raise(Referred, new SessionReferredEventArgs(target, replacement) { Replaces = replaces });
        replacement.Invite();
        try
        {
            await replacement.Established;
        }
        catch (SessionEndedException e)
        {
            var code = e.End.StatusCode ?? 500;
            await NotifyTransferProgressAsync($"SIP/2.0 {code} {e.End.ReasonPhrase ?? "Failed"}", final: true);
            return;
        }
        // The transferor may send its BYE before ours on reading the NOTIFY: still the transfer.
        _replacedByTransfer = new SessionEnd(SessionEndReason.Transferred, Detail: $"transferred to {target}");
        await NotifyTransferProgressAsync("SIP/2.0 200 OK", final: true);
        await ByeOnExecutorAsync(new SessionEnd(SessionEndReason.Transferred, Detail: $"transferred to {target}"), CancellationToken.None);
    }

    private async Task NotifyTransferProgressAsync(string statusLine, bool final)
    {
        if (State == SessionState.Ended)
            return;
        var notify = NewRequest(SipMethods.Notify);
        notify.Headers.Add(SipHeaderNames.Event, "refer");
        notify.Headers.Add("Subscription-State", final ? "terminated;reason=noresource" : "active;expires=60");
        notify.SetBody(Encoding.UTF8.GetBytes(statusLine + "\r\n"), Sipfrag);
        try
        {
            await SendInDialogAsync(notify, Lifetime);
        }
        catch (Exception e) when (e is SipTransactionTimeoutException or SipTransportException or OperationCanceledException or Auth.SipAuthenticationException)
        {
            Log.OperationFailed(Logger, CallId, "NOTIFY", e.Message);
        }
    }

    /// <summary>The status code of a sipfrag body's status line ("SIP/2.0 200 OK"), or null.</summary>
    public static int? ParseSipfragStatus(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var line = body.TrimStart().Split('\n')[0].Trim();
        var parts = line.Split(' ', 3);
        return parts.Length >= 2 && parts[0] == "SIP/2.0" && int.TryParse(parts[1], out var code) && code is >= 100 and <= 699 ? code : null;
    }
}
