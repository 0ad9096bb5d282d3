using Dialtone.Phone.Media;
using Dialtone.Sip.Dialogs;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transactions;

namespace Dialtone.Phone;

// The callee's side (UAS): the offer goes to libwebrtc before anything rings (an offer it cannot
// take is answered 488 with libwebrtc's reason), 180 while the application decides, 200 with the
// answer, then the ACK (RFC 3261 §13.3). An INVITE without SDP gets our offer in the 200 and the
// answer in the ACK.
public sealed partial class Call
{
    private SipServerTransaction? _incomingInvite;
    private bool _offerInInvite;

    /// <summary>Takes the INVITE's offer and rings; false (after answering 488) when the offer is unusable.</summary>
    internal async Task<bool> StartIncomingAsync(SipServerTransaction invite)
    {
        _incomingInvite = invite;
        var request = invite.Request;
        _offerInInvite = HasSdp(request);
        if (_offerInInvite)
        {
            try
            {
                await _media.ApplyRemoteOfferAsync(BodyText(request), _lifetime.Token).ConfigureAwait(false);
            }
            catch (MediaNegotiationException e)
            {
                var notAcceptable = invite.CreateResponse(488);
                notAcceptable.Headers.Add(SipHeaderNames.Warning, WarningValue(305, e.Message));
                // Ended before the answer leaves: whoever sees the 488 sees no call left behind.
                Finish(new CallEnd(CallEndReason.Failed, 488, notAcceptable.ReasonPhrase, e.Message));
                await invite.SendResponseAsync(notAcceptable).ConfigureAwait(false);
                return false;
            }
        }

        invite.CancellationRequested.Register(() =>
        {
            // The stack has answered the CANCEL and the INVITE (487) already.
            if (State is CallState.Ringing or CallState.EarlyMedia)
                Finish(new CallEnd(CallEndReason.RemoteHangup, 487, "Request Terminated", "the caller cancelled"));
        });
        var ringing = invite.CreateResponse(180);
        ringing.Headers.Add(SipHeaderNames.Contact, _ua.Contact.ToString());
        await invite.SendResponseAsync(ringing).ConfigureAwait(false);
        return true;
    }

    private string? _earlyAnswer;

    /// <summary>
    /// Starts media before answering (early media: an IVR prompt, ringback of our own): sends
    /// 183 Session Progress carrying our SDP answer. <see cref="AnswerAsync"/> later repeats the
    /// same answer in the 200.
    /// </summary>
    public async Task ProgressAsync(CancellationToken cancellationToken = default)
    {
        var invite = _incomingInvite ?? throw new InvalidOperationException("Only an incoming call can send early media.");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (State != CallState.Ringing || _earlyAnswer is not null)
                throw new InvalidOperationException($"The call is {State}; early media is for a ringing call, once.");
            if (!_offerInInvite)
                throw new InvalidOperationException("The INVITE carried no offer, so there is nothing to answer early.");
            _earlyAnswer = await _media.CreateAnswerAsync(cancellationToken).ConfigureAwait(false);
            var progress = invite.CreateResponse(183);
            progress.Headers.Add(SipHeaderNames.Contact, _ua.Contact.ToString());
            progress.SetBody(System.Text.Encoding.UTF8.GetBytes(_earlyAnswer), SipContentType.Sdp);
            await invite.SendResponseAsync(progress, cancellationToken).ConfigureAwait(false);
            SetState(CallState.EarlyMedia);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Sends the caller elsewhere: a 3xx (302 Moved Temporarily by default) with <paramref name="target"/> as Contact.</summary>
    public async Task RedirectAsync(UriReference target, int statusCode = 302, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (statusCode is < 300 or > 399)
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "A redirect is a 3xx status.");
        var invite = _incomingInvite ?? throw new InvalidOperationException("Only an incoming call can be redirected.");
        if (State is not (CallState.Ringing or CallState.EarlyMedia))
            throw new InvalidOperationException($"The call is {State}, not ringing.");
        var response = invite.CreateResponse(statusCode);
        response.Headers.Add(SipHeaderNames.Contact, new SipAddress(target).ToString());
        await invite.SendResponseAsync(response, cancellationToken).ConfigureAwait(false);
        Finish(new CallEnd(CallEndReason.LocalHangup, statusCode, response.ReasonPhrase, $"redirected to {target}"));
    }

    /// <summary>Answers an incoming call; completes once the caller's ACK arrived and the call is established.</summary>
    public async Task AnswerAsync(CancellationToken cancellationToken = default)
    {
        var invite = _incomingInvite ?? throw new InvalidOperationException("Only an incoming call can be answered.");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (State is not (CallState.Ringing or CallState.EarlyMedia))
                throw new InvalidOperationException($"The call is {State}, not ringing.");
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token, invite.CancellationRequested);
            var sdp = _earlyAnswer
                ?? (_offerInInvite
                    ? await _media.CreateAnswerAsync(linked.Token).ConfigureAwait(false)
                    : await _media.CreateOfferAsync(linked.Token).ConfigureAwait(false));

            var ok = invite.CreateResponse(200);
            _ua.AddCommonHeaders(ok);
            ok.SetBody(System.Text.Encoding.UTF8.GetBytes(sdp), SipContentType.Sdp);
            _dialog = SipDialog.CreateAsUas(invite.Request, ok);
            _dialog.LocalContact = _ua.Contact;
            _ua.Track(this, _dialog);
            await invite.SendResponseAsync(ok, linked.Token).ConfigureAwait(false);

            SipRequest ack;
            try
            {
                ack = await invite.Acknowledged.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (SipTransactionTimeoutException)
            {
                await FailEstablishedAsync("the caller never acknowledged our 200 OK (Timer L)").ConfigureAwait(false);
                throw new CallFailedException(await Ended.ConfigureAwait(false));
            }
            if (!_offerInInvite)
            {
                if (!HasSdp(ack))
                {
                    await FailEstablishedAsync("the ACK carried no SDP answer to our offer").ConfigureAwait(false);
                    throw new CallFailedException(await Ended.ConfigureAwait(false));
                }
                await _media.AcceptAnswerAsync(BodyText(ack), provisional: false, linked.Token).ConfigureAwait(false);
            }
            _dialog.Confirm();
            _remoteHold = _offerInInvite && SdpInspector.IsHold(BodyText(invite.Request));
            SetState(_remoteHold ? CallState.OnHold : CallState.Established);
        }
        catch (OperationCanceledException) when (invite.CancellationRequested.IsCancellationRequested || _lifetime.IsCancellationRequested)
        {
            // The caller cancelled, or the call ended (hangup, dispose) while we were answering.
            throw new CallFailedException(await Ended.ConfigureAwait(false));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Declines an incoming call with a final response (486 Busy Here by default; 603 Decline, 480…).</summary>
    public async Task RejectAsync(int statusCode = 486, CancellationToken cancellationToken = default)
    {
        if (statusCode is < 300 or > 699)
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "A rejection is a 3xx-6xx status.");
        var invite = _incomingInvite ?? throw new InvalidOperationException("Only an incoming call can be rejected.");
        if (State is not (CallState.Ringing or CallState.EarlyMedia))
            throw new InvalidOperationException($"The call is {State}, not ringing.");
        var response = invite.CreateResponse(statusCode);
        await invite.SendResponseAsync(response, cancellationToken).ConfigureAwait(false);
        Finish(new CallEnd(CallEndReason.LocalHangup, statusCode, response.ReasonPhrase, "rejected"));
    }

    /// <summary>A Warning header value (RFC 3261 §20.43): code, our host, and a quoted text.</summary>
    private string WarningValue(int code, string text)
    {
        var quoted = text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
        return $"{code} {_ua.Connection.Transport.LocalHostPort.Host} \"{quoted}\"";
    }
}
