using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Transactions;

/// <summary>Non-INVITE server transaction: RFC 3261 §17.2.2 (Figure 8).</summary>
internal sealed class NonInviteServerTransaction : SipServerTransaction
{
    private readonly TransactionTimer _timerJ;

    public NonInviteServerTransaction(ITransactionHost host, SipRequest request, ISipTransport transport, SipEndPoint source, SipEndPoint responseDestination, string key)
        : base(host, request, transport, source, responseDestination, key, SipTransactionState.Trying)
    {
        _timerJ = CreateTimer("J", () => Transition(SipTransactionState.Terminated));
    }

    private protected override void OnSendResponse(SipResponse response)
    {
        if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding))
            throw AlreadyFinal(response);
        SendResponse(response);
        if (response.IsProvisional)
        {
            Transition(SipTransactionState.Proceeding);
            return;
        }
        Transition(SipTransactionState.Completed);
        _timerJ.Start(IsReliable ? TimeSpan.Zero : Host.Timers.TransactionTimeout);
    }

    internal override void OnRetransmission(SipRequest request)
    {
        // Trying: absorbed (no response yet). Proceeding/Completed: re-send the last response.
        if (State is SipTransactionState.Proceeding or SipTransactionState.Completed && LastResponse is not null)
            SendResponse(LastResponse);
    }
}
