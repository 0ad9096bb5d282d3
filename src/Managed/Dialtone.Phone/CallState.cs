namespace Dialtone.Phone;

/// <summary>
/// Where a call is. Outgoing: Calling → Ringing → (EarlyMedia) → Established ⇄ OnHold → Ended.
/// Incoming: Ringing → Established ⇄ OnHold → Ended. Any state can go to Ended.
/// </summary>
public enum CallState
{
    /// <summary>INVITE sent, nothing but 100 Trying heard yet.</summary>
    Calling,
    /// <summary>Outgoing: the callee is alerted (180). Incoming: waiting for the application to answer.</summary>
    Ringing,
    /// <summary>A provisional answer with SDP (183) set up media before the call was answered.</summary>
    EarlyMedia,
    Established,
    /// <summary>Established, with one side (or both) holding the call.</summary>
    OnHold,
    Ended,
}

public enum CallDirection
{
    Outgoing,
    Incoming,
}

/// <summary>Why a call ended.</summary>
public enum CallEndReason
{
    /// <summary>We hung up (BYE), cancelled before an answer, or rejected an incoming call.</summary>
    LocalHangup,
    /// <summary>The peer sent BYE, or cancelled before we answered.</summary>
    RemoteHangup,
    /// <summary>The call was not answered: a final non-2xx response (see the status code).</summary>
    Rejected,
    /// <summary>The call was handed to another party by a transfer.</summary>
    Transferred,
    /// <summary>Signalling failed: timeout, lost connection, unusable SDP, missing ACK.</summary>
    Failed,
    /// <summary>The media died (ICE/DTLS failed, or nothing from the peer for <see cref="Media.CallMediaOptions.MediaTimeout"/>): we sent BYE.</summary>
    MediaFailed,
}

/// <summary>How a call ended: the reason, and the SIP status when a response decided it.</summary>
public sealed record CallEnd(CallEndReason Reason, int? StatusCode = null, string? ReasonPhrase = null, string? Detail = null)
{
    public override string ToString() =>
        StatusCode is { } code ? $"{Reason} ({code} {ReasonPhrase})" + (Detail is null ? "" : $": {Detail}") : Detail is null ? Reason.ToString() : $"{Reason}: {Detail}";
}

public sealed class CallStateChangedEventArgs(CallState previous, CallState state, CallEnd? end) : EventArgs
{
    public CallState Previous { get; } = previous;

    public CallState State { get; } = state;

    /// <summary>Set when <see cref="State"/> is <see cref="CallState.Ended"/>.</summary>
    public CallEnd? End { get; } = end;
}

/// <summary>A DTMF digit from the peer, as SIP INFO (application/dtmf-relay).</summary>
public sealed class DtmfReceivedEventArgs(char digit, TimeSpan duration) : EventArgs
{
    public char Digit { get; } = digit;

    public TimeSpan Duration { get; } = duration;

    /// <summary>RFC 4733 telephone-event in the media, or SIP INFO.</summary>
    public DtmfTransport Transport { get; init; } = DtmfTransport.Rfc4733;
}

/// <summary>The peer transferred us (REFER): <see cref="NewCall"/> is our call to <see cref="Target"/>.</summary>
public sealed class TransferRequestedEventArgs(Dialtone.Sip.Message.UriReference target, Call newCall) : EventArgs
{
    public Dialtone.Sip.Message.UriReference Target { get; } = target;

    public Call NewCall { get; } = newCall;
}

/// <summary>The call ended before it was established.</summary>
public sealed class CallFailedException(CallEnd end) : Exception($"The call ended before it was established: {end}")
{
    public CallEnd End { get; } = end;
}
