namespace Dialtone.Sip.Transactions;

/// <summary>
/// A transaction timed out: no final response before Timer B/F (client), or no ACK before
/// Timer H/L (server). The TU should treat a client timeout like a 408 (RFC 3261 §8.1.3.1).
/// </summary>
public sealed class SipTransactionTimeoutException(string message) : Exception(message);
