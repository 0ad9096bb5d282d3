using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace Dialtone.Sip.Transactions;

/// <summary>
/// What a transaction needs from the stack: the serialized executor, the clock and timer values,
/// a way to send bytes, and a notice when it terminates. All calls happen on the executor.
/// </summary>
internal interface ITransactionHost
{
    TimeProvider Time { get; }

    SipTimerOptions Timers { get; }

    ILogger Logger { get; }

    /// <summary>Queues work on the stack's executor; false when the stack is shut down.</summary>
    bool Post(Action action);

    /// <summary>Sends a serialized message; a failure is reported to <paramref name="onError"/> on the executor.</summary>
    void Send(byte[] message, ISipTransport transport, SipEndPoint destination, Action<Exception>? onError);

    void OnTerminated(SipTransaction transaction);
}
