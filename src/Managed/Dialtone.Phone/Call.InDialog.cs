using System.Globalization;
using Dialtone.Phone.Media;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transactions;

namespace Dialtone.Phone;

// Requests inside an established dialog, both ways: re-INVITE and UPDATE (hold, resume, ICE
// restart), BYE, INFO (DTMF relay), OPTIONS. REFER/NOTIFY live in Call.Transfer.cs.
public sealed partial class Call
{
    private readonly Lock _dialogLock = new();

    /// <summary>Puts the call on hold: a re-INVITE offering sendonly (RFC 3264 §8.4).</summary>
    public Task HoldAsync(CancellationToken cancellationToken = default) => RenegotiateAsync(hold: true, iceRestart: false, cancellationToken);

    /// <summary>Takes the call off hold: a re-INVITE offering sendrecv.</summary>
    public Task ResumeAsync(CancellationToken cancellationToken = default) => RenegotiateAsync(hold: false, iceRestart: false, cancellationToken);

    /// <summary>Restarts ICE with a re-INVITE carrying new ICE credentials (e.g. after a network change).</summary>
    public Task RestartIceAsync(CancellationToken cancellationToken = default) => RenegotiateAsync(_localHold, iceRestart: true, cancellationToken);

    private async Task RenegotiateAsync(bool hold, bool iceRestart, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                if (State is not (CallState.Established or CallState.OnHold))
                    throw new InvalidOperationException($"The call is {State}; only an established call can be renegotiated.");
                var offer = await _media.CreateReofferAsync(hold, iceRestart, cancellationToken).ConfigureAwait(false);
                var reinvite = NewInDialogRequest(SipMethods.Invite);
                _ua.AddCommonHeaders(reinvite);
                reinvite.SetBody(System.Text.Encoding.UTF8.GetBytes(offer), SipContentType.Sdp);
                var response = await SendInDialogAsync(reinvite, cancellationToken).ConfigureAwait(false);

                if (response.IsSuccess)
                {
                    lock (_dialogLock)
                        _dialog!.OnTargetRefreshResponse(response);
                    await _ua.Stack.SendAckAsync(CreateAck(response), _ua.Connection.SendOptions, cancellationToken).ConfigureAwait(false);
                    await _media.AcceptAnswerAsync(BodyText(response), provisional: false, cancellationToken).ConfigureAwait(false);
                    _localHold = hold;
                    UpdateHoldState();
                    return;
                }

                await _media.RollbackAsync(cancellationToken).ConfigureAwait(false);
                if (response.StatusCode is 481 or 408)
                {
                    // RFC 3261 §12.2.1.2: the dialog is gone.
                    Finish(new CallEnd(CallEndReason.Failed, response.StatusCode, response.ReasonPhrase, "the dialog no longer exists"));
                    throw new CallFailedException(await Ended.ConfigureAwait(false));
                }
                if (response.StatusCode == 491 && attempt < 4)
                {
                    // Glare (RFC 3261 §14.1): wait a random 2.1–4 s, then offer again.
                    var wait = TimeSpan.FromMilliseconds(Random.Shared.Next(2100, 4000));
                    await Task.Delay(wait, _ua.Options.TimeProvider, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                throw new InvalidOperationException($"The peer refused the re-INVITE: {response.StatusCode} {response.ReasonPhrase}");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Sends one DTMF digit as SIP INFO (application/dtmf-relay), for servers that want digits in
    /// signalling rather than in the media (<see cref="SendDtmf"/>).
    /// </summary>
    public async Task SendDtmfInfoAsync(char digit, TimeSpan? duration = null, CancellationToken cancellationToken = default)
    {
        if (!IsDtmfKey(digit))
            throw new ArgumentOutOfRangeException(nameof(digit), digit, "A DTMF key is 0-9, *, #, A-D.");
        if (State is not (CallState.Established or CallState.OnHold))
            throw new InvalidOperationException($"The call is {State}; DTMF needs an established call.");
        var info = NewInDialogRequest(SipMethods.Info);
        var body = $"Signal={digit}\r\nDuration={(int)(duration ?? TimeSpan.FromMilliseconds(160)).TotalMilliseconds}\r\n";
        info.SetBody(System.Text.Encoding.UTF8.GetBytes(body), DtmfRelay);
        var response = await SendInDialogAsync(info, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
            throw new InvalidOperationException($"The peer refused the INFO: {response.StatusCode} {response.ReasonPhrase}");
    }

    private static readonly SipContentType DtmfRelay = new("application", "dtmf-relay");

    private async Task ByeAsync(CancellationToken cancellationToken)
    {
        if (_dialog is null)
        {
            Finish(new CallEnd(CallEndReason.LocalHangup));
            return;
        }
        var bye = NewInDialogRequest(SipMethods.Bye);
        // The call is over for us whatever the peer answers.
        Finish(new CallEnd(CallEndReason.LocalHangup));
        try
        {
            await SendInDialogAsync(bye, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SipTransactionTimeoutException or Sip.Transport.SipTransportException or SipAuthenticationException)
        {
            Log.OperationFailed(_logger, CallId, "BYE", e.Message);
        }
    }

    /// <summary>Ends an established call that cannot go on (bad SDP answer, no ACK): BYE, then Failed.</summary>
    private async Task FailEstablishedAsync(string why)
    {
        var bye = _dialog is null ? null : NewInDialogRequest(SipMethods.Bye);
        Finish(new CallEnd(CallEndReason.Failed, Detail: why));
        if (bye is null)
            return;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await SendInDialogAsync(bye, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SipTransactionTimeoutException or Sip.Transport.SipTransportException or SipAuthenticationException)
        {
            Log.OperationFailed(_logger, CallId, "BYE", e.Message);
        }
    }

    /// <summary>A request the peer sent inside our dialog (not ACK, not CANCEL).</summary>
    internal async Task OnInDialogRequestAsync(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        try
        {
            bool inOrder;
            lock (_dialogLock)
                inOrder = _dialog?.AcceptRequest(request) ?? false;
            if (!inOrder)
            {
                await transaction.SendResponseAsync(transaction.CreateResponse(500, "Server Internal Error (CSeq out of order)")).ConfigureAwait(false);
                return;
            }
            switch (request.Method)
            {
                case SipMethods.Bye:
                    await transaction.SendResponseAsync(transaction.CreateResponse(200)).ConfigureAwait(false);
                    Finish(new CallEnd(CallEndReason.RemoteHangup));
                    break;
                case SipMethods.Invite or SipMethods.Update:
                    await OnRemoteOfferAsync(transaction).ConfigureAwait(false);
                    break;
                case SipMethods.Info:
                    await OnInfoAsync(transaction).ConfigureAwait(false);
                    break;
                case SipMethods.Refer:
                    await OnReferAsync(transaction).ConfigureAwait(false);
                    break;
                case SipMethods.Notify:
                    await OnNotifyAsync(transaction).ConfigureAwait(false);
                    break;
                case SipMethods.Options:
                    var ok = transaction.CreateResponse(200);
                    _ua.AddCommonHeaders(ok);
                    await transaction.SendResponseAsync(ok).ConfigureAwait(false);
                    break;
                default:
                    var notAllowed = transaction.CreateResponse(405);
                    notAllowed.Headers.Add(SipHeaderNames.Allow, UserAgent.AllowedMethods);
                    await transaction.SendResponseAsync(notAllowed).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or Sip.Transport.SipTransportException or OperationCanceledException or SipParseException)
        {
            Log.OperationFailed(_logger, CallId, request.Method, e.Message);
        }
    }

    /// <summary>A re-INVITE or UPDATE from the peer: with an offer (hold, resume, ICE restart) or, for re-INVITE, asking for ours.</summary>
    private async Task OnRemoteOfferAsync(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        if (!_gate.Wait(0))
        {
            // Our own offer is outstanding: glare (RFC 3261 §14.2, RFC 3311 §5.2).
            await transaction.SendResponseAsync(transaction.CreateResponse(491)).ConfigureAwait(false);
            return;
        }
        try
        {
            var token = _lifetime.Token;
            string? answer = null;
            var offerInRequest = HasSdp(request);
            if (offerInRequest)
            {
                try
                {
                    await _media.ApplyRemoteOfferAsync(BodyText(request), token).ConfigureAwait(false);
                    answer = await _media.CreateAnswerAsync(token).ConfigureAwait(false);
                }
                catch (MediaNegotiationException e)
                {
                    var notAcceptable = transaction.CreateResponse(488);
                    notAcceptable.Headers.Add(SipHeaderNames.Warning, WarningValue(305, e.Message));
                    await transaction.SendResponseAsync(notAcceptable).ConfigureAwait(false);
                    return;
                }
            }
            else if (request.Method == SipMethods.Invite)
            {
                answer = await _media.CreateReofferAsync(_localHold, iceRestart: false, token).ConfigureAwait(false);
            }

            var ok = transaction.CreateResponse(200);
            _ua.AddCommonHeaders(ok);
            if (answer is not null)
                ok.SetBody(System.Text.Encoding.UTF8.GetBytes(answer), SipContentType.Sdp);
            await transaction.SendResponseAsync(ok).ConfigureAwait(false);

            if (request.Method == SipMethods.Invite)
            {
                var ack = await transaction.Acknowledged.WaitAsync(token).ConfigureAwait(false);
                if (!offerInRequest && HasSdp(ack))
                    await _media.AcceptAnswerAsync(BodyText(ack), provisional: false, token).ConfigureAwait(false);
            }
            if (offerInRequest)
            {
                _remoteHold = SdpInspector.IsHold(BodyText(request));
                UpdateHoldState();
            }
        }
        catch (SipTransactionTimeoutException)
        {
            await FailEstablishedAsync("the peer never acknowledged our answer to its re-INVITE").ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>INFO: DTMF as application/dtmf-relay (Signal=/Duration=) or application/dtmf; other packages are refused.</summary>
    private async Task OnInfoAsync(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        var type = request.ContentType;
        if (type is null || !(type.Is("application", "dtmf-relay") || type.Is("application", "dtmf")))
        {
            await transaction.SendResponseAsync(transaction.CreateResponse(415)).ConfigureAwait(false);
            return;
        }
        var (digit, duration) = ParseDtmfInfo(BodyText(request), type.Is("application", "dtmf"));
        if (digit is null)
        {
            await transaction.SendResponseAsync(transaction.CreateResponse(400, "Bad Request (no DTMF signal in the body)")).ConfigureAwait(false);
            return;
        }
        // Queued before the 200 goes out: the next INFO may arrive as soon as the peer sees it, and
        // digits must reach the application in the order they were sent.
        Raise(DtmfReceived, new DtmfReceivedEventArgs(digit.Value, duration));
        await transaction.SendResponseAsync(transaction.CreateResponse(200)).ConfigureAwait(false);
    }

    internal static (char? Digit, TimeSpan Duration) ParseDtmfInfo(string body, bool plainDigit)
    {
        if (plainDigit)
            return body.Trim() is [var only] && IsDtmfKey(only) ? (char.ToUpperInvariant(only), TimeSpan.FromMilliseconds(250)) : (null, default);
        char? digit = null;
        var duration = TimeSpan.FromMilliseconds(250);
        foreach (var line in body.Split('\n'))
        {
            var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2)
                continue;
            if (parts[0].Equals("Signal", StringComparison.OrdinalIgnoreCase))
                digit = parts[1] is [var key] && IsDtmfKey(key) ? char.ToUpperInvariant(key) : parts[1] switch { "10" => '*', "11" => '#', _ => null };
            else if (parts[0].Equals("Duration", StringComparison.OrdinalIgnoreCase) && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
                duration = TimeSpan.FromMilliseconds(ms);
        }
        return (digit, duration);
    }

    private static bool IsDtmfKey(char c) => char.IsAsciiDigit(c) || c is '*' or '#' || char.ToUpperInvariant(c) is >= 'A' and <= 'D';

    private SipRequest NewInDialogRequest(string method)
    {
        lock (_dialogLock)
        {
            var dialog = _dialog ?? throw new InvalidOperationException("The call has no dialog yet.");
            return dialog.CreateRequest(method);
        }
    }

    private SipRequest CreateAck(SipResponse success)
    {
        lock (_dialogLock)
            return _dialog!.CreateAck(success);
    }

    /// <summary>Sends an in-dialog request and returns its final response, answering digest challenges.</summary>
    private Task<SipResponse> SendInDialogAsync(SipRequest request, CancellationToken cancellationToken) =>
        _ua.Digest is { } digest
            ? _ua.Stack.SendWithAuthenticationAsync(request, digest, _ua.Connection.SendOptions, cancellationToken)
            : _ua.Stack.SendRequestAsync(request, _ua.Connection.SendOptions, cancellationToken);
}
