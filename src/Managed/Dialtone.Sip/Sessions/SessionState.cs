namespace Dialtone.Sip.Sessions;

/// <summary>
/// Where a session is. Outgoing: Calling → Ringing → (EarlyMedia) → Established ⇄ OnHold → Ended.
/// Incoming: Ringing → (EarlyMedia) → Established ⇄ OnHold → Ended. Any state can go to Ended.
/// </summary>
public enum SessionState
{
    /// <summary>INVITE sent, nothing but 100 Trying heard yet.</summary>
    Calling,
    /// <summary>Outgoing: the callee is alerted (1xx). Incoming: waiting for the application to answer.</summary>
    Ringing,
    /// <summary>A provisional answer with a body (183) set up media before the call was answered.</summary>
    EarlyMedia,
    Established,
    /// <summary>Established, with one side (or both) holding the call.</summary>
    OnHold,
    Ended,
}

/// <summary>Why a session ended.</summary>
public enum SessionEndReason
{
    /// <summary>We hung up (BYE), cancelled before an answer, or rejected an incoming call.</summary>
    LocalHangup,
    /// <summary>The peer sent BYE, or cancelled before we answered.</summary>
    RemoteHangup,
    /// <summary>The call was not answered: a final non-2xx response (see the status code).</summary>
    Rejected,
    /// <summary>The call was handed to another party by a transfer.</summary>
    Transferred,
    /// <summary>Signalling failed: timeout, lost connection, unusable answer, missing ACK.</summary>
    Failed,
    /// <summary>The media died (ICE/DTLS failed, or nothing received from the peer): we sent BYE.</summary>
    MediaFailed,
    /// <summary>The session timer ran out (RFC 4028): no refresh arrived, or ours did not succeed, in time; we sent BYE.</summary>
    SessionExpired,
}

/// <summary>How a session ended: the reason, and the SIP status when a response decided it.</summary>
public sealed record SessionEnd(SessionEndReason Reason, int? StatusCode = null, string? ReasonPhrase = null, string? Detail = null)
{
    public override string ToString() =>
        StatusCode is { } code ? $"{Reason} ({code} {ReasonPhrase})" + (Detail is null ? "" : $": {Detail}") : Detail is null ? Reason.ToString() : $"{Reason}: {Detail}";
}
