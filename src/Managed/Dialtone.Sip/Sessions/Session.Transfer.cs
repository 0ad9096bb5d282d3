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

    /// <summary>
    /// Transfers the peer to <paramref name="target"/>: sends REFER, waits (at most
    /// <paramref name="timeout"/>, 60 s by default) for the peer's report of its call to the target,
    /// and ends this session with BYE once that call is answered. Returns the target's final status
    /// (2xx on success); the session stays up when the transfer fails.
    /// </summary>
    public Task<int> ReferAsync(UriReference target, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Scheduler.RunAsync(async () =>
        {
            var outcome = new TaskCompletionSource<int>();
            await OneAtATimeAsync(async () =>
            {
                EnsureEstablished("only an established call can be transferred");
                _transferOutcome = outcome;
                var refer = NewRequest(SipMethods.Refer);
                refer.Headers.Add(SipHeaderNames.ReferTo, new SipAddress(target).ToString());
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
                await ByeOnExecutorAsync(new SessionEnd(SessionEndReason.Transferred, Detail: $"transferred to {target}"), cancellationToken);
            return status;
        });
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
        if (ParseSipfragStatus(Bodies.Text(request)) is { } status and >= 200)
            _transferOutcome?.TrySetResult(status);
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
        Agent.Respond(transaction, transaction.CreateResponse(202));
        await NotifyTransferProgressAsync("SIP/2.0 100 Trying", final: false);

        var target = referUri with { Headers = SipParameters.Empty };
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
        Raise(Referred, new SessionReferredEventArgs(target, replacement));
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
