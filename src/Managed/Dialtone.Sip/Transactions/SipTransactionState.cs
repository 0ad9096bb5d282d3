namespace Dialtone.Sip.Transactions;

/// <summary>
/// Transaction states of RFC 3261 §17 (Figures 5-8) plus <see cref="Accepted"/> from RFC 6026.
/// INVITE client: Calling → Proceeding → Completed (3xx-6xx) or Accepted (2xx) → Terminated.
/// Non-INVITE client: Trying → Proceeding → Completed → Terminated.
/// INVITE server: Proceeding → Completed → Confirmed → Terminated, or Proceeding → Accepted → Terminated.
/// Non-INVITE server: Trying → Proceeding → Completed → Terminated.
/// </summary>
public enum SipTransactionState
{
    Calling,
    Trying,
    Proceeding,
    Completed,
    Confirmed,
    Accepted,
    Terminated,
}
