using Dialtone.Phone.Media;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Dialogs;
using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Transactions;

namespace Dialtone.Phone;

// The caller's side (UAC): INVITE with a complete offer, provisional responses and early media,
// digest challenges, redirects, CANCEL, and the ACK for the 2xx (RFC 3261 §13.2).
public sealed partial class Call
{
    private const int MaxRedirects = 5;
    private const int MaxAuthenticationAttempts = 5;

    private SipClientTransaction? _inviteTransaction;
    private volatile bool _cancelRequested;

    /// <summary>Runs the whole outgoing setup in the background; every failure ends the call, none escapes.</summary>
    internal async Task RunOutgoingAsync(UriReference target)
    {
        try
        {
            var offer = await _media.CreateOfferAsync(_lifetime.Token).ConfigureAwait(false);
            var invite = SipRequestFactory.Create(SipMethods.Invite, target, LocalIdentity, RemoteIdentity, CallId);
            _ua.AddCommonHeaders(invite);
            invite.SetBody(System.Text.Encoding.UTF8.GetBytes(offer), SipContentType.Sdp);
            await SendInviteAsync(invite).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            // Ended while setting up (hangup, dispose): Finish already ran.
        }
        catch (SipAuthenticationException e)
        {
            Finish(new CallEnd(CallEndReason.Failed, e.StatusCode, "Authentication failed", e.Message));
        }
        catch (Exception e) when (e is SipTransactionTimeoutException)
        {
            Finish(new CallEnd(CallEndReason.Failed, 408, "Request Timeout", e.Message));
        }
        catch (Exception e)
        {
            Finish(new CallEnd(CallEndReason.Failed, Detail: e.Message));
        }
    }

    private async Task SendInviteAsync(SipRequest invite)
    {
        var challenged = new HashSet<string>(StringComparer.Ordinal);
        var staleRetried = new HashSet<string>(StringComparer.Ordinal);
        var redirects = 0;
        for (var attempt = 1; ; attempt++)
        {
            if (_cancelRequested)
            {
                Finish(new CallEnd(CallEndReason.LocalHangup, Detail: "cancelled before the INVITE was sent"));
                return;
            }
            var transaction = await _ua.Stack.StartRequestAsync(invite, _ua.Connection.SendOptions, _lifetime.Token).ConfigureAwait(false);
            _inviteTransaction = transaction;
            if (_cancelRequested)
                _ = CancelTransactionAsync(transaction);

            var final = await ReadUntilFinalAsync(invite, transaction).ConfigureAwait(false);
            switch (final.StatusCode)
            {
                case >= 200 and < 300:
                    await OnInviteAcceptedAsync(invite, final, transaction).ConfigureAwait(false);
                    return;
                case 401 or 407 when _ua.Digest is { } digest && attempt < MaxAuthenticationAttempts:
                    var challenges = digest.SelectChallenges(final);
                    if (challenges.Count == 0 || challenges.Any(c => challenged.Contains(c.Realm) && !(c.Stale && staleRetried.Add(c.Realm))))
                        throw new SipAuthenticationException($"Credentials for {digest.Credentials.Username} were rejected ({final.StatusCode} {final.ReasonPhrase})", final.StatusCode, challenges.FirstOrDefault()?.Realm);
                    invite = AuthenticatingSender.NextAttempt(invite);
                    foreach (var challenge in challenges)
                    {
                        digest.Authorize(invite, challenge);
                        challenged.Add(challenge.Realm);
                    }
                    continue;
                case >= 300 and < 400 when final.Contacts.FirstOrDefault() is { } contact && redirects++ < MaxRedirects:
                    // RFC 3261 §8.1.3.4: retry at the new target, same dialog identifiers, next CSeq.
                    invite = AuthenticatingSender.NextAttempt(invite);
                    invite.RequestUri = contact.Uri;
                    continue;
                case 487 when _cancelRequested:
                    Finish(new CallEnd(CallEndReason.LocalHangup, final.StatusCode, final.ReasonPhrase, "cancelled"));
                    return;
                default:
                    Finish(new CallEnd(CallEndReason.Rejected, final.StatusCode, final.ReasonPhrase));
                    return;
            }
        }
    }

    /// <summary>Handles provisional responses (ringing, early media) and returns the final one.</summary>
    private async Task<SipResponse> ReadUntilFinalAsync(SipRequest invite, SipClientTransaction transaction)
    {
        var reader = transaction.Responses;
        while (await reader.WaitToReadAsync(_lifetime.Token).ConfigureAwait(false))
        {
            while (reader.TryRead(out var response))
            {
                if (response.IsFinal)
                    return response;
                await OnProvisionalAsync(invite, response).ConfigureAwait(false);
            }
        }
        // The transaction ended without a final response: its task carries the timeout or transport error.
        return await transaction.FinalResponse.ConfigureAwait(false);
    }

    private async Task OnProvisionalAsync(SipRequest invite, SipResponse response)
    {
        if (response.StatusCode == 100)
            return;
        if (response.To?.Tag is not null)
        {
            if (_dialog is null)
                _dialog = SipDialog.CreateAsUac(invite, response);
            else if (_dialog.Id.RemoteTag == response.To.Tag)
                _dialog.OnCreatingResponse(response);
        }
        if (HasSdp(response) && State != CallState.EarlyMedia)
        {
            try
            {
                await _media.AcceptAnswerAsync(BodyText(response), provisional: true, _lifetime.Token).ConfigureAwait(false);
                SetState(CallState.EarlyMedia);
                return;
            }
            catch (MediaNegotiationException e)
            {
                Log.OperationFailed(_logger, CallId, "early media", e.Message);
            }
        }
        if (State == CallState.Calling)
            SetState(CallState.Ringing);
    }

    private async Task OnInviteAcceptedAsync(SipRequest invite, SipResponse success, SipClientTransaction transaction)
    {
        if (_dialog is not null && _dialog.Id.RemoteTag == success.To?.Tag)
            _dialog.OnCreatingResponse(success);
        else
            _dialog = SipDialog.CreateAsUac(invite, success);
        _dialog.LocalContact = _ua.Contact;
        _ua.Track(this, _dialog);

        // ACK first: the callee keeps retransmitting its 2xx until it arrives.
        await _ua.Stack.SendAckAsync(_dialog.CreateAck(success), _ua.Connection.SendOptions, _lifetime.Token).ConfigureAwait(false);
        _ = AcknowledgeRetransmissionsAsync(transaction);

        if (_cancelRequested)
        {
            // CANCEL lost the race with the 2xx (RFC 3261 §15): the call is up, so end it with BYE.
            await ByeAsync(_lifetime.Token).ConfigureAwait(false);
            return;
        }
        if (!HasSdp(success))
        {
            await FailEstablishedAsync("the 2xx carried no SDP answer").ConfigureAwait(false);
            return;
        }
        try
        {
            await _media.AcceptAnswerAsync(BodyText(success), provisional: false, _lifetime.Token).ConfigureAwait(false);
        }
        catch (MediaNegotiationException e)
        {
            await FailEstablishedAsync($"the SDP answer was refused: {e.Message}").ConfigureAwait(false);
            return;
        }
        SetState(CallState.Established);
    }

    /// <summary>RFC 6026: every 2xx retransmission of the same dialog is ACKed again.</summary>
    private async Task AcknowledgeRetransmissionsAsync(SipClientTransaction transaction)
    {
        try
        {
            await foreach (var response in transaction.Responses.ReadAllAsync(_lifetime.Token).ConfigureAwait(false))
            {
                if (response.IsSuccess && _dialog is { } dialog && response.To?.Tag == dialog.Id.RemoteTag)
                    await _ua.Stack.SendAckAsync(dialog.CreateAck(response), _ua.Connection.SendOptions, _lifetime.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or Sip.Transport.SipTransportException)
        {
            // The call ended or the connection went: nothing left to acknowledge.
        }
    }

    /// <summary>A 2xx retransmission that arrived after the INVITE transaction ended: ACK it again.</summary>
    internal async Task AcknowledgeStraySuccessAsync(SipResponse success)
    {
        try
        {
            await _ua.Stack.SendAckAsync(CreateAck(success), _ua.Connection.SendOptions, _lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or Sip.Transport.SipTransportException or InvalidOperationException)
        {
            Log.OperationFailed(_logger, CallId, "re-ACK", e.Message);
        }
    }

    /// <summary>Cancels the unanswered outgoing call (RFC 3261 §9.1).</summary>
    private async Task CancelAsync(CancellationToken cancellationToken)
    {
        _cancelRequested = true;
        if (_inviteTransaction is { } transaction)
            await CancelTransactionAsync(transaction, cancellationToken).ConfigureAwait(false);
        try
        {
            await Ended.WaitAsync(TimeSpan.FromSeconds(40), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Finish(new CallEnd(CallEndReason.LocalHangup, Detail: "cancelled; no final response to the INVITE"));
        }
    }

    private async Task CancelTransactionAsync(SipClientTransaction transaction, CancellationToken cancellationToken = default)
    {
        try
        {
            await _ua.Stack.CancelAsync(transaction, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SipTransactionTimeoutException or Sip.Transport.SipTransportException)
        {
            Log.OperationFailed(_logger, CallId, "CANCEL", e.Message);
        }
    }

    private static bool HasSdp(SipMessage message) =>
        message.Body.Length > 0 && message.ContentType?.Is("application", "sdp") == true;

    private static string BodyText(SipMessage message) => System.Text.Encoding.UTF8.GetString(message.Body.Span);
}
