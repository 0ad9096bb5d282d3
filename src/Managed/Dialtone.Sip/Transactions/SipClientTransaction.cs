using System.Threading.Channels;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace Dialtone.Sip.Transactions;

/// <summary>
/// A client transaction (RFC 3261 §17.1): sends a request, retransmits it on unreliable
/// transports, and hands responses to the transaction user. <see cref="FinalResponse"/> completes
/// with the first final response (any status: a 4xx is a result, not an error) or fails with
/// <see cref="SipTransactionTimeoutException"/> / <see cref="SipTransportException"/>.
/// <see cref="Responses"/> carries every response passed up, in order (1xx, the final one, and
/// for INVITE further 2xx from retransmissions or forks while Accepted, RFC 6026).
/// </summary>
public abstract class SipClientTransaction : SipTransaction
{
    private readonly TaskCompletionSource<SipResponse> _final = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _provisional = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<SipResponse> _responses = Channel.CreateUnbounded<SipResponse>(new UnboundedChannelOptions { SingleWriter = true });

    private protected SipClientTransaction(ITransactionHost host, SipRequest request, ISipTransport transport, SipEndPoint remote, string key, SipTransactionState initial)
        : base(host, request, transport, remote, key, initial)
    {
        // Nobody may await the task (fire-and-forget requests): observe failures so none goes unobserved.
        _final.Task.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
    }

    /// <summary>The branch parameter of the request's top Via: the transaction id.</summary>
    public string Branch => Request.TopVia!.Branch!;

    public Task<SipResponse> FinalResponse => _final.Task;

    public ChannelReader<SipResponse> Responses => _responses.Reader;

    /// <summary>Completes when a provisional response arrives (CANCEL may only follow one, §9.1).</summary>
    internal Task ProvisionalReceived => _provisional.Task;

    /// <summary>Waits for the final response; cancelling the wait does not cancel the transaction.</summary>
    public Task<SipResponse> GetFinalResponseAsync(CancellationToken cancellationToken = default) =>
        _final.Task.WaitAsync(cancellationToken);

    internal abstract void Start();

    internal abstract void OnResponse(SipResponse response);

    private protected void PassUp(SipResponse response)
    {
        _responses.Writer.TryWrite(response);
        if (response.IsProvisional)
            _provisional.TrySetResult();
        else
            _final.TrySetResult(response);
    }

    private protected override void Fail(Exception error)
    {
        if (_final.TrySetException(error))
            Host.Logger.LogDebug("Client transaction {Key} failed: {Error}", Key, error.Message);
    }

    private protected override void OnTerminated()
    {
        _final.TrySetException(new InvalidOperationException("The transaction ended without a final response."));
        _provisional.TrySetCanceled();
        _ = _provisional.Task.Exception;
        _responses.Writer.TryComplete();
    }

    private protected SipTransactionTimeoutException Timeout(string timer) =>
        new($"{Request.Method} to {Remote}: no final response before Timer {timer} ({Host.Timers.TransactionTimeout.TotalSeconds:0.#} s)");
}
