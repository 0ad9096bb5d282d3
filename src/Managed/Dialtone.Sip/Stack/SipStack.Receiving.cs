using Dialtone.Sip.Message;
using Dialtone.Sip.Transactions;
using Dialtone.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace Dialtone.Sip.Stack;

/// <summary>The receive path: parse on the transport's thread, then match and dispatch on the executor.</summary>
public sealed partial class SipStack
{
    private void OnFrameReceived(ISipTransport transport, SipEndPoint source, ReadOnlySpan<byte> data)
    {
        if (_disposed || data.IsEmpty || !data.ContainsAnyExcept("\r\n"u8))
            return; // keep-alive CRLFs (RFC 5626 §4.4.1) carry no message
        SipMessage message;
        try
        {
            message = SipParser.Parse(data, Options.ParserLimits);
        }
        catch (SipParseException e)
        {
            var answer = MalformedRequestAnswer.ForUnparsed(data, source, Options.ParserLimits, e);
            Logger.LogWarning("Malformed SIP message from {Source} dropped{Answer}: {Error}", source,
                answer is { } a ? $" (answering {a.Response.StatusCode})" : "", e.Message);
            if (answer is { } reply)
                _ = _executor.Post(() => SendStateless(transport, reply));
            return;
        }
        if (Logger.IsEnabled(LogLevel.Debug))
            Logger.LogDebug("SIP received from {Source} ({Length} bytes):\n{Message}", source, data.Length, TraceRedaction.ForTrace(data));
        _ = _executor.Post(() => Dispatch(transport, source, message));
    }

    private void Dispatch(ISipTransport transport, SipEndPoint source, SipMessage message)
    {
        if (_disposed)
            return;
        try
        {
            MessageValidator.Validate(message);
        }
        catch (SipParseException e)
        {
            if (message is SipRequest bad)
                RejectMalformed(transport, source, bad, e);
            else
                Logger.LogWarning("Malformed SIP response from {Source} dropped: {Error}", source, e.Message);
            return;
        }
        if (message is SipResponse response)
            OnResponse(response, source);
        else
            OnRequest(transport, source, (SipRequest)message);
    }

    private void OnResponse(SipResponse response, SipEndPoint source)
    {
        if (response.Vias.Count > 1)
        {
            // §8.1.3.3: a response for us carries only our own Via; more means it was misrouted.
            Logger.LogWarning("Response {Status} from {Source} with {Count} Via values dropped", response.StatusCode, source, response.Vias.Count);
            return;
        }
        if (_table.FindClient(response) is { } tx)
        {
            tx.OnResponse(response);
            return;
        }
        Logger.LogDebug("Response {Status} for {Method} from {Source} matches no transaction", response.StatusCode, response.CSeq!.Method, source);
        try
        {
            TransactionUser?.OnStrayResponse(response, source);
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Transaction user failed on a stray {Status}", response.StatusCode);
        }
    }

    private void OnRequest(ISipTransport transport, SipEndPoint source, SipRequest request)
    {
        ViaProcessing.StampReceived(request, source);
        var key = TransactionTable.ServerKey(request);
        if (_table.FindServer(key) is { } existing)
        {
            existing.OnRetransmission(request);
            if (request.Method != SipMethods.Ack || existing.State != SipTransactionState.Accepted)
                return;
        }
        switch (request.Method)
        {
            case SipMethods.Ack:
                // The ACK for a 2xx has its own branch: match it to the INVITE by Call-ID and CSeq.
                if (_table.FindInviteForAck(request) is { State: SipTransactionState.Accepted } invite)
                    invite.OnSuccessAck(request);
                try
                {
                    TransactionUser?.OnAck(request, source);
                }
                catch (Exception e)
                {
                    Logger.LogError(e, "Transaction user failed on an ACK");
                }
                return;
            case SipMethods.Cancel:
                OnCancel(transport, source, request, key);
                return;
        }
        var destination = ViaProcessing.ResponseDestination(request.TopVia!, source);
        SipServerTransaction tx = request.Method == SipMethods.Invite
            ? new InviteServerTransaction(_host, request, transport, source, destination, key)
            : new NonInviteServerTransaction(_host, request, transport, source, destination, key);
        _table.AddServer(tx);
        if (tx is InviteServerTransaction inviteTx)
            inviteTx.SendTrying();
        if (UasRequestChecks.Check(tx, Options, _table) is { } rejection)
        {
            Logger.LogInformation("Rejecting {Method} from {Source}: {Status} {Reason}", request.Method, source, rejection.StatusCode, rejection.ReasonPhrase);
            tx.Respond(rejection);
            return;
        }
        if (TransactionUser is { } tu)
        {
            try
            {
                tu.OnRequest(tx);
            }
            catch (Exception e)
            {
                // A failing TU must not leave the peer retransmitting into silence.
                Logger.LogError(e, "Transaction user failed on {Method} {Uri}", request.Method, request.RequestUri);
                if (tx.LastResponse is null or { IsProvisional: true })
                    tx.Respond(tx.CreateResponse(500));
            }
        }
        else
        {
            var notImplemented = tx.CreateResponse(501);
            tx.Respond(notImplemented);
        }
    }

    /// <summary>RFC 3261 §9.2: answer the CANCEL itself, then end the INVITE with 487 unless it was answered.</summary>
    private void OnCancel(ISipTransport transport, SipEndPoint source, SipRequest cancel, string key)
    {
        var destination = ViaProcessing.ResponseDestination(cancel.TopVia!, source);
        var cancelTx = new NonInviteServerTransaction(_host, cancel, transport, source, destination, key);
        _table.AddServer(cancelTx);
        if (_table.FindServer(TransactionTable.InviteKeyForCancel(cancel)) is not { } invite)
        {
            cancelTx.Respond(cancelTx.CreateResponse(481));
            return;
        }
        cancelTx.Respond(SipResponse.CreateFor(cancel, 200) is var ok && invite.LocalTag is { } tag && cancel.To!.Tag is null
            ? WithToTag(ok, tag)
            : ok);
        if (invite.State != SipTransactionState.Proceeding)
            return;
        invite.RequestCancel();
        if (invite.State == SipTransactionState.Proceeding)
            invite.Respond(invite.CreateResponse(487));
    }

    private static SipResponse WithToTag(SipResponse response, string tag)
    {
        response.To = response.To!.WithTag(tag);
        return response;
    }

    private void RejectMalformed(ISipTransport transport, SipEndPoint source, SipRequest request, SipParseException error)
    {
        Logger.LogWarning("Invalid {Method} from {Source}: {Error}", request.Method, source, error.Message);
        if (MalformedRequestAnswer.ForInvalid(request, source, error) is { } reply)
            SendStateless(transport, reply);
    }

    /// <summary>Answers outside any transaction: the request was too broken to start one.</summary>
    private void SendStateless(ISipTransport transport, (SipResponse Response, SipEndPoint Destination) reply)
    {
        if (!_disposed)
            _host.Send(reply.Response, transport, reply.Destination, null);
    }
}
