using Dialtone.Sip.Sessions;

namespace Dialtone.Phone;

/// <summary>Another call took this one's place at our end (RFC 3891 Replaces: the last step of an attended transfer).</summary>
public sealed class CallReplacedEventArgs(Call newCall) : EventArgs
{
    /// <summary>The call that replaced this one: already answered (the user accepted this call before), with the transferred party.</summary>
    public Call NewCall { get; } = newCall;
}

// Attended transfer (RFC 5589 §7): as transferor (TransferAsync with the consultation call), as
// transferee (TransferRequested, the SIP layer puts the Replaces header in the new INVITE), and as
// target (Replaced: an INVITE with Replaces is answered without ringing — the user already accepted
// the call it replaces — and announced on that call, not through IncomingCall, whose calls ring).
public sealed partial class Call
{
    /// <summary>
    /// At the transfer target: an incoming INVITE replaced this call (RFC 3891), e.g. the party we
    /// were consulted about, transferred to us by the one we talked to. <see cref="CallReplacedEventArgs.NewCall"/>
    /// is answered already (no <see cref="UserAgent.IncomingCall"/> for it); this call then ends with
    /// <see cref="CallEndReason.Transferred"/>. Raised before this call's end.
    /// </summary>
    public event EventHandler<CallReplacedEventArgs>? Replaced;

    /// <summary>For a call that replaced another at our end (RFC 3891), the call it replaced; otherwise null.</summary>
    public Call? ReplacedCall { get; }

    /// <summary>
    /// Attended transfer: connects the peer of this call with the peer of <paramref name="consultation"/>
    /// (our established call with the transfer target). Sends REFER whose Refer-To carries the consultation
    /// dialog in a Replaces header; the peer calls the target with an INVITE that replaces our consultation
    /// call there. Once the peer reports that call answered, both our calls end with
    /// <see cref="CallEndReason.Transferred"/>. Returns the target's final status (2xx on success);
    /// both calls stay up when the transfer fails.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="consultation"/> is this call or belongs to another user agent.</exception>
    /// <exception cref="InvalidOperationException">A call is not established, or the peer refused the REFER.</exception>
    public Task<int> TransferAsync(Call consultation, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consultation);
        return Translate(Session.ReferAsync(consultation.Session, timeout, cancellationToken));
    }

    private void AttachTransfer(Session session) =>
        session.Replaced += (_, e) =>
        {
            if (_callOf(e.NewSession) is { } newCall)
                _events.Raise(this, Replaced, new CallReplacedEventArgs(newCall));
        };
}
