using System.Globalization;
using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace Dialtone.Sip.Transactions;

/// <summary>
/// A server transaction (RFC 3261 §17.2): the stack created it for a received request and
/// absorbs retransmissions of that request, re-sending the last response. The transaction user
/// answers with <see cref="CreateResponse"/> and <see cref="SendResponseAsync"/>.
/// </summary>
public abstract class SipServerTransaction : SipTransaction
{
    private readonly SipEndPoint _responseDestination;
    private readonly TaskCompletionSource<SipRequest> _acknowledged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private protected SipServerTransaction(ITransactionHost host, SipRequest request, ISipTransport transport, SipEndPoint source, SipEndPoint responseDestination, string key, SipTransactionState initial)
        : base(host, request, transport, source, key, initial)
    {
        _responseDestination = responseDestination;
        LocalTag = request.To?.Tag ?? SipIds.NewTag();
        _acknowledged.Task.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
    }

    /// <summary>
    /// The To tag this transaction puts in its responses when the request had none (one tag per
    /// transaction, so every response of a UAS belongs to the same dialog).
    /// </summary>
    public string LocalTag { get; }

    /// <summary>The last response sent, re-sent when the request is retransmitted.</summary>
    public SipResponse? LastResponse { get; private protected set; }

    /// <summary>
    /// For INVITE: completes with the ACK (for a 3xx-6xx, or for a 2xx once the stack matched it),
    /// or fails with <see cref="SipTransactionTimeoutException"/> when Timer H/L fired first.
    /// </summary>
    public Task<SipRequest> Acknowledged => _acknowledged.Task;

    /// <summary>Cancelled when a matching CANCEL arrived (RFC 3261 §9.2); the stack then answers 487 itself if still unanswered.</summary>
    public CancellationToken CancellationRequested => _cancel.Token;

    private readonly CancellationTokenSource _cancel = new();

    /// <summary>A response per §8.2.6 with the To tag added for anything above 100 Trying.</summary>
    public SipResponse CreateResponse(int statusCode, string? reasonPhrase = null)
    {
        var response = SipResponse.CreateFor(Request, statusCode, reasonPhrase);
        if (statusCode > 100 && Request.To is { Tag: null } to)
            response.To = to.WithTag(LocalTag);
        return response;
    }

    /// <summary>
    /// Sends a response through the transaction (queued on the stack's executor). Throws
    /// <see cref="InvalidOperationException"/> when the transaction already sent its final response.
    /// </summary>
    public Task SendResponseAsync(SipResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        cancellationToken.ThrowIfCancellationRequested();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var posted = Host.Post(() =>
        {
            try
            {
                Respond(response);
                done.TrySetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        });
        if (!posted)
            done.TrySetException(new ObjectDisposedException("SipStack", "The SIP stack was shut down."));
        return done.Task;
    }

    internal void Respond(SipResponse response)
    {
        if (response.CSeq?.Number != Request.CSeq!.Number || response.Headers[SipHeaderNames.CallId] != Request.CallId)
            throw new ArgumentException("The response does not belong to this transaction's request (Call-ID/CSeq differ).", nameof(response));
        OnSendResponse(response);
    }

    private protected abstract void OnSendResponse(SipResponse response);

    internal abstract void OnRetransmission(SipRequest request);

    private protected void SendResponse(SipResponse response)
    {
        LastResponse = response;
        SendMessage(response, _responseDestination);
    }

    private protected InvalidOperationException AlreadyFinal(SipResponse response) =>
        new($"Cannot send {response.StatusCode.ToString(CultureInfo.InvariantCulture)}: the transaction is {State} (a final response was already sent).");

    private protected void Acknowledge(SipRequest ack) => _acknowledged.TrySetResult(ack);

    private protected void AckTimedOut(string timer) =>
        _acknowledged.TrySetException(new SipTransactionTimeoutException($"No ACK for {LastResponse?.StatusCode} to {Request.Method} from {Remote} before Timer {timer}"));

    internal void RequestCancel()
    {
        if (!_cancel.IsCancellationRequested)
            _cancel.Cancel();
    }

    private protected override void Fail(Exception error)
    {
        _acknowledged.TrySetException(error);
        Host.Logger.LogDebug("Server transaction {Key} failed: {Error}", Key, error.Message);
    }

    private protected override void OnTerminated()
    {
        // The CancellationTokenSource has no timer, so it is left undisposed: the token stays readable.
        _acknowledged.TrySetException(new InvalidOperationException("The transaction ended without an ACK."));
    }
}
