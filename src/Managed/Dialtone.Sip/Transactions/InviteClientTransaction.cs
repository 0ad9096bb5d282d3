using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Transactions;

/// <summary>INVITE client transaction: RFC 3261 §17.1.1 (Figure 5) with RFC 6026's Accepted state.</summary>
internal sealed class InviteClientTransaction : SipClientTransaction
{
    private readonly TransactionTimer _timerA;
    private readonly TransactionTimer _timerB;
    private readonly TransactionTimer _timerD;
    private readonly TransactionTimer _timerM;
    private SipRequest? _ack;

    public InviteClientTransaction(ITransactionHost host, SipRequest request, ISipTransport transport, SipEndPoint remote, string key)
        : base(host, request, transport, remote, key, SipTransactionState.Calling)
    {
        _timerA = CreateTimer("A", OnTimerA);
        _timerB = CreateTimer("B", OnTimerB);
        _timerD = CreateTimer("D", () => Transition(SipTransactionState.Terminated));
        _timerM = CreateTimer("M", () => Transition(SipTransactionState.Terminated));
    }

    internal override void Start()
    {
        SendMessage(Request, Remote);
        if (!IsReliable)
            _timerA.Start(T1);
        _timerB.Start(Host.Timers.TransactionTimeout);
    }

    private void OnTimerA()
    {
        if (State != SipTransactionState.Calling)
            return;
        SendMessage(Request, Remote);
        _timerA.Start(_timerA.Interval * 2);
    }

    private void OnTimerB()
    {
        if (State != SipTransactionState.Calling)
            return;
        Fail(Timeout("B"));
        Transition(SipTransactionState.Terminated);
    }

    internal override void OnResponse(SipResponse response)
    {
        switch (State)
        {
            case SipTransactionState.Calling or SipTransactionState.Proceeding when response.IsProvisional:
                _timerA.Stop();
                _timerB.Stop();
                Transition(SipTransactionState.Proceeding);
                PassUp(response);
                break;
            case SipTransactionState.Calling or SipTransactionState.Proceeding when response.IsSuccess:
                _timerA.Stop();
                _timerB.Stop();
                Transition(SipTransactionState.Accepted);
                _timerM.Start(Host.Timers.TransactionTimeout);
                PassUp(response);
                break;
            case SipTransactionState.Calling or SipTransactionState.Proceeding:
                _timerA.Stop();
                _timerB.Stop();
                _ack = InviteTransactionRequests.AckForFailure(Request, response);
                SendMessage(_ack, Remote);
                Transition(SipTransactionState.Completed);
                _timerD.Start(IsReliable ? TimeSpan.Zero : Host.Timers.TimerD);
                PassUp(response);
                break;
            case SipTransactionState.Completed when response.StatusCode >= 300:
                // The final response was retransmitted: our ACK was lost (§17.1.1.2).
                SendMessage(_ack!, Remote);
                break;
            case SipTransactionState.Accepted when response.IsSuccess:
                // RFC 6026 §7.2: further 2xx go to the TU, which ACKs them (forks or lost ACK).
                PassUp(response);
                break;
        }
    }
}
