using Dialtone.Sip.Message;
using Dialtone.Sip.Transactions;

namespace Dialtone.Phone;

// Blind transfer (RFC 3515 REFER with the implicit subscription, RFC 3420 sipfrag NOTIFYs), both
// as the transferor (we send REFER) and as the transferee (we receive it and call the target).
public sealed partial class Call
{
    private static readonly SipContentType Sipfrag = SipContentType.Parse("message/sipfrag;version=2.0");
    private TaskCompletionSource<int>? _transferOutcome;

    /// <summary>
    /// Transfers the peer to <paramref name="target"/>: sends REFER, waits for the peer's report of its
    /// call to the target, and hangs up once that call is answered. Returns the target's final status
    /// (2xx on success); the call stays up when the transfer fails.
    /// </summary>
    public async Task<int> TransferAsync(UriReference target, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var outcome = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            if (State is not (CallState.Established or CallState.OnHold))
                throw new InvalidOperationException($"The call is {State}; only an established call can be transferred.");
            _transferOutcome = outcome;
            var refer = NewInDialogRequest(SipMethods.Refer);
            refer.Headers.Add(SipHeaderNames.ReferTo, new SipAddress(target).ToString());
            refer.Headers.Add(SipHeaderNames.ReferredBy, new SipAddress(LocalIdentity.Uri, LocalIdentity.DisplayName).ToString());
            var response = await SendInDialogAsync(refer, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccess)
                throw new InvalidOperationException($"The peer refused the transfer: {response.StatusCode} {response.ReasonPhrase}");
        }
        finally
        {
            _gate.Release();
        }

        var status = await outcome.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(60), _ua.Options.TimeProvider, cancellationToken).ConfigureAwait(false);
        if (status is >= 200 and < 300)
        {
            var bye = NewInDialogRequest(SipMethods.Bye);
            Finish(new CallEnd(CallEndReason.Transferred, Detail: $"transferred to {target}"));
            try
            {
                await SendInDialogAsync(bye, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SipTransactionTimeoutException or Sip.Transport.SipTransportException)
            {
                Log.OperationFailed(_logger, CallId, "BYE after transfer", e.Message);
            }
        }
        return status;
    }

    /// <summary>NOTIFY for our REFER: its sipfrag carries the status of the peer's call to the target.</summary>
    private async Task OnNotifyAsync(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        var isRefer = request.Headers[SipHeaderNames.Event] is { } ev && ev.Split(';')[0].Trim().Equals("refer", StringComparison.OrdinalIgnoreCase);
        if (!isRefer)
        {
            await transaction.SendResponseAsync(transaction.CreateResponse(489)).ConfigureAwait(false);
            return;
        }
        await transaction.SendResponseAsync(transaction.CreateResponse(200)).ConfigureAwait(false);
        if (ParseSipfragStatus(BodyText(request)) is { } status and >= 200)
            _transferOutcome?.TrySetResult(status);
    }

    /// <summary>The peer transfers us: accept, call the target, report progress by NOTIFY, leave once connected.</summary>
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
        if (referTo is null || referTo.SipUri is null)
        {
            await transaction.SendResponseAsync(transaction.CreateResponse(400, "Bad Request (Refer-To must be one SIP URI)")).ConfigureAwait(false);
            return;
        }
        await transaction.SendResponseAsync(transaction.CreateResponse(202)).ConfigureAwait(false);
        await NotifyTransferProgressAsync("SIP/2.0 100 Trying", final: false).ConfigureAwait(false);

        var target = referTo.SipUri with { Headers = SipParameters.Empty };
        Call replacement;
        try
        {
            replacement = await _ua.CallAsync(target, _lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or ObjectDisposedException)
        {
            await NotifyTransferProgressAsync("SIP/2.0 503 Service Unavailable", final: true).ConfigureAwait(false);
            return;
        }
        Raise(TransferRequested, new TransferRequestedEventArgs(target, replacement));
        try
        {
            await replacement.Established.ConfigureAwait(false);
        }
        catch (CallFailedException e)
        {
            var code = e.End.StatusCode ?? 500;
            await NotifyTransferProgressAsync($"SIP/2.0 {code} {e.End.ReasonPhrase ?? "Failed"}", final: true).ConfigureAwait(false);
            return;
        }
        await NotifyTransferProgressAsync("SIP/2.0 200 OK", final: true).ConfigureAwait(false);
        await ByeAsync(CancellationToken.None).ConfigureAwait(false);
        // ByeAsync recorded LocalHangup; the reason for the application is the transfer.
    }

    private async Task NotifyTransferProgressAsync(string statusLine, bool final)
    {
        if (State == CallState.Ended)
            return;
        var notify = NewInDialogRequest(SipMethods.Notify);
        notify.Headers.Add(SipHeaderNames.Event, "refer");
        notify.Headers.Add("Subscription-State", final ? "terminated;reason=noresource" : "active;expires=60");
        notify.SetBody(System.Text.Encoding.UTF8.GetBytes(statusLine + "\r\n"), Sipfrag);
        try
        {
            await SendInDialogAsync(notify, _lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SipTransactionTimeoutException or Sip.Transport.SipTransportException or OperationCanceledException)
        {
            Log.OperationFailed(_logger, CallId, "NOTIFY", e.Message);
        }
    }

    /// <summary>The status code of a sipfrag body's status line ("SIP/2.0 200 OK"), or null.</summary>
    internal static int? ParseSipfragStatus(string body)
    {
        var line = body.TrimStart().Split('\n')[0].Trim();
        var parts = line.Split(' ', 3);
        return parts.Length >= 2 && parts[0] == "SIP/2.0" && int.TryParse(parts[1], out var code) && code is >= 100 and <= 699 ? code : null;
    }
}
