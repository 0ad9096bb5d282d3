using Dialtone.Sip.Message;
using Dialtone.Sip.Transactions;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Stack;

/// <summary>
/// The layer above the transactions (UA core, dialogs, registrar…). The stack calls it on its
/// executor: implementations must return quickly and never block; answer with
/// <see cref="SipServerTransaction.SendResponseAsync"/> now or later.
/// </summary>
public interface ISipTransactionUser
{
    /// <summary>A new request (not ACK, not CANCEL) created a server transaction.</summary>
    void OnRequest(SipServerTransaction transaction);

    /// <summary>An ACK outside any transaction: the ACK for a 2xx (already matched to the INVITE server transaction when one exists).</summary>
    void OnAck(SipRequest ack, SipEndPoint source)
    {
    }

    /// <summary>A response no client transaction matched, e.g. a 2xx retransmitted after the INVITE transaction ended.</summary>
    void OnStrayResponse(SipResponse response, SipEndPoint source)
    {
    }
}
