using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Transactions;

/// <summary>Non-INVITE client transaction: RFC 3261 §17.1.2 (Figure 6).</summary>
internal sealed class NonInviteClientTransaction : SipClientTransaction
{
    private readonly TransactionTimer _timerE;
    private readonly TransactionTimer _timerF;
    private readonly TransactionTimer _timerK;

    public NonInviteClientTransaction(ITransactionHost host, SipRequest request, ISipTransport transport, SipEndPoint remote, string key)
        : base(host, request, transport, remote, key, SipTransactionState.Trying)
    {
        _timerE = CreateTimer("E", OnTimerE);
        _timerF = CreateTimer("F", OnTimerF);
        _timerK = CreateTimer("K", () => Transition(SipTransactionState.Terminated));
    }

    internal override void Start()
    {
        SendMessage(Request, Remote);
        if (!IsReliable)
            _timerE.Start(T1);
        _timerF.Start(Host.Timers.TransactionTimeout);
    }

    private void OnTimerE()
    {
        switch (State)
        {
            case SipTransactionState.Trying:
                SendMessage(Request, Remote);
                _timerE.Start(Min(_timerE.Interval * 2, T2));
                break;
            case SipTransactionState.Proceeding:
                SendMessage(Request, Remote);
                _timerE.Start(T2);
                break;
        }
    }

    private void OnTimerF()
    {
        if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding))
            return;
        Fail(Timeout("F"));
        Transition(SipTransactionState.Terminated);
    }

    internal override void OnResponse(SipResponse response)
    {
        if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding))
            return; // Completed: retransmitted finals are absorbed.
        if (response.IsProvisional)
        {
            Transition(SipTransactionState.Proceeding);
            PassUp(response);
            return;
        }
        _timerE.Stop();
        _timerF.Stop();
        Transition(SipTransactionState.Completed);
        _timerK.Start(IsReliable ? TimeSpan.Zero : T4);
        PassUp(response);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
