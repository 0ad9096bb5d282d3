using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Stack;

/// <summary>
/// Overrides for sending a request: a fixed destination (skips resolution, e.g. an RFC 5626
/// flow) and/or the transport to use (when several of one kind exist).
/// </summary>
public sealed record SipSendOptions(SipEndPoint? Destination = null, ISipTransport? Transport = null);
