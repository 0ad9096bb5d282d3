using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Transactions;

/// <summary>
/// INVITE server transaction: RFC 3261 §17.2.1 (Figure 7) with RFC 6026's Accepted state. In
/// Accepted it also retransmits the 2xx over unreliable transports (T1 doubling to T2) until the
/// stack matches the ACK (§13.3.1.4), so the layers above never run that timer themselves.
/// </summary>
internal sealed class InviteServerTransaction : SipServerTransaction
{
    private readonly TransactionTimer _timerG;
    private readonly TransactionTimer _timerH;
    private readonly TransactionTimer _timerI;
    private readonly TransactionTimer _timerL;
    private readonly TransactionTimer _retransmit2xx;
    private bool _ackedSuccess;

    public InviteServerTransaction(ITransactionHost host, SipRequest request, ISipTransport transport, SipEndPoint source, SipEndPoint responseDestination, string key)
        : base(host, request, transport, source, responseDestination, key, SipTransactionState.Proceeding)
    {
        _timerG = CreateTimer("G", OnTimerG);
        _timerH = CreateTimer("H", OnTimerH);
        _timerI = CreateTimer("I", () => Transition(SipTransactionState.Terminated));
        _timerL = CreateTimer("L", OnTimerL);
        _retransmit2xx = CreateTimer("2xx", OnRetransmit2xx);
    }

    /// <summary>Sends 100 Trying right away so the client stops retransmitting (§17.2.1).</summary>
    internal void SendTrying() => SendResponse(CreateResponse(100));

    private protected override void OnSendResponse(SipResponse response)
    {
        switch (State)
        {
            case SipTransactionState.Proceeding when response.IsProvisional:
                SendResponse(response);
                break;
            case SipTransactionState.Proceeding when response.IsSuccess:
                SendResponse(response);
                Transition(SipTransactionState.Accepted);
                _timerL.Start(Host.Timers.TransactionTimeout);
                if (!IsReliable)
                    _retransmit2xx.Start(T1);
                break;
            case SipTransactionState.Proceeding:
                SendResponse(response);
                Transition(SipTransactionState.Completed);
                if (!IsReliable)
                    _timerG.Start(T1);
                _timerH.Start(Host.Timers.TransactionTimeout);
                break;
            case SipTransactionState.Accepted when response.IsSuccess:
                SendResponse(response); // the TU re-sending its 2xx (RFC 6026 §8.5)
                break;
            default:
                throw AlreadyFinal(response);
        }
    }

    internal override void OnRetransmission(SipRequest request)
    {
        if (request.Method == SipMethods.Ack)
        {
            if (State == SipTransactionState.Completed)
            {
                _timerG.Stop();
                _timerH.Stop();
                Transition(SipTransactionState.Confirmed);
                _timerI.Start(IsReliable ? TimeSpan.Zero : T4);
                Acknowledge(request); // last, so whoever awaits it sees the new state
            }
            return; // Confirmed: further ACKs absorbed.
        }
        // A retransmitted INVITE: re-send the last provisional or final (Proceeding/Completed);
        // Accepted absorbs it (RFC 6026 §7.1), the 2xx retransmission timer covers a lost 2xx.
        if (State is SipTransactionState.Proceeding or SipTransactionState.Completed && LastResponse is not null)
            SendResponse(LastResponse);
    }

    /// <summary>The stack matched an ACK for our 2xx (it has its own branch, so it arrives outside the transaction).</summary>
    internal void OnSuccessAck(SipRequest ack)
    {
        if (State != SipTransactionState.Accepted || _ackedSuccess)
            return;
        _ackedSuccess = true;
        _retransmit2xx.Stop();
        Acknowledge(ack);
    }

    private void OnTimerG()
    {
        if (State != SipTransactionState.Completed)
            return;
        SendResponse(LastResponse!);
        _timerG.Start(_timerG.Interval * 2 < T2 ? _timerG.Interval * 2 : T2);
    }

    private void OnTimerH()
    {
        if (State != SipTransactionState.Completed)
            return;
        AckTimedOut("H");
        Transition(SipTransactionState.Terminated);
    }

    private void OnRetransmit2xx()
    {
        if (State != SipTransactionState.Accepted || _ackedSuccess)
            return;
        SendResponse(LastResponse!);
        _retransmit2xx.Start(_retransmit2xx.Interval * 2 < T2 ? _retransmit2xx.Interval * 2 : T2);
    }

    private void OnTimerL()
    {
        if (!_ackedSuccess)
            AckTimedOut("L");
        Transition(SipTransactionState.Terminated);
    }
}
