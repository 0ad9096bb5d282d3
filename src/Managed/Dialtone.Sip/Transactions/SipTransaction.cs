using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace Dialtone.Sip.Transactions;

/// <summary>
/// Common state of the four RFC 3261 §17 state machines. Everything here runs on the stack's
/// executor, so there are no locks; public read-only members may be read from any thread.
/// </summary>
public abstract class SipTransaction
{
    private readonly List<TransactionTimer> _timers = [];
    private volatile SipTransactionState _state;

    private protected SipTransaction(ITransactionHost host, SipRequest request, ISipTransport transport, SipEndPoint remote, string key, SipTransactionState initial)
    {
        Host = host;
        Request = request;
        Transport = transport;
        Remote = remote;
        Key = key;
        _state = initial;
    }

    /// <summary>The request that created the transaction.</summary>
    public SipRequest Request { get; }

    public SipTransactionState State => _state;

    /// <summary>The transport the transaction uses.</summary>
    public ISipTransport Transport { get; }

    /// <summary>The peer: where requests go (client) or where the request came from (server).</summary>
    public SipEndPoint Remote { get; }

    /// <summary>Whether the transport is reliable, which switches retransmission timers off.</summary>
    public bool IsReliable => Transport.Kind.IsReliable();

    internal string Key { get; }

    private protected ITransactionHost Host { get; }

    private protected TimeSpan T1 => Host.Timers.T1;

    private protected TimeSpan T2 => Host.Timers.T2;

    private protected TimeSpan T4 => Host.Timers.T4;

    private protected TransactionTimer CreateTimer(string name, Action onFire)
    {
        var timer = new TransactionTimer(Host, name, onFire);
        _timers.Add(timer);
        return timer;
    }

    private protected void Transition(SipTransactionState next)
    {
        if (_state == next)
            return;
        if (Host.Logger.IsEnabled(LogLevel.Debug))
            Host.Logger.LogDebug("Transaction {Key} {Method}: {From} -> {To}", Key, Request.Method, _state, next);
        _state = next;
        if (next == SipTransactionState.Terminated)
        {
            foreach (var t in _timers)
                t.Stop();
            OnTerminated();
            Host.OnTerminated(this);
        }
    }

    /// <summary>
    /// Sends, and turns a transport failure into termination (RFC 3261 §17.1.4, §17.2.4). The
    /// bytes of the last message are kept, so a retransmission does not serialize again and is
    /// exactly what went out the first time.
    /// </summary>
    private protected void SendMessage(SipMessage message, SipEndPoint destination)
    {
        if (!ReferenceEquals(message, _lastSent))
        {
            _lastSentBytes = SipSerializer.Serialize(message);
            _lastSent = message;
        }
        Host.Send(_lastSentBytes!, Transport, destination, OnTransportError);
    }

    private SipMessage? _lastSent;
    private byte[]? _lastSentBytes;

    private protected virtual void OnTransportError(Exception error)
    {
        if (State == SipTransactionState.Terminated)
            return;
        Host.Logger.LogWarning(error, "Transaction {Key} {Method}: transport error", Key, Request.Method);
        Fail(error);
        Transition(SipTransactionState.Terminated);
    }

    /// <summary>Reports a failure to whoever awaits this transaction.</summary>
    private protected abstract void Fail(Exception error);

    /// <summary>Called once on entering Terminated, after timers stopped.</summary>
    private protected virtual void OnTerminated()
    {
    }

    /// <summary>Ends the transaction now (stack shutdown).</summary>
    internal void Abort(Exception reason)
    {
        if (State == SipTransactionState.Terminated)
            return;
        Fail(reason);
        Transition(SipTransactionState.Terminated);
    }
}
