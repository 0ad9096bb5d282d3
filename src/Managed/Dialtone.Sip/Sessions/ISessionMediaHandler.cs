namespace Dialtone.Sip.Sessions;

/// <summary>
/// One session's media as SIP offer/answer (RFC 3264) sees it — the only way the session layer
/// reaches media (the role of SIP.js's SessionDescriptionHandler and pjsip's pjmedia under
/// inv_session). The session decides WHEN to offer, answer, hold or restart ICE; the handler
/// decides WHAT the body says. Implementations: libwebrtc PeerConnection (Dialtone.Phone), plain
/// RTP/SDES (carriers), a fake in tests.
/// <para>Threading: the session calls one method at a time and awaits it before the next (never
/// two concurrently). Calls come from the SIP stack's executor: a method must not block — return
/// an incomplete task for slow work (ICE gathering). <see cref="MediaFailed"/> may be raised on
/// any thread.</para>
/// </summary>
public interface ISessionMediaHandler : IAsyncDisposable
{
    /// <summary>The body type of every offer and answer (<c>application/sdp</c>); bodies of another type are refused 415.</summary>
    string ContentType { get; }

    /// <summary>
    /// A new local offer: the initial one (INVITE, or the 200 to an INVITE without body), a
    /// re-INVITE/UPDATE (hold, resume, ICE restart), or for a re-INVITE without body.
    /// </summary>
    Task<string> CreateOfferAsync(SessionOfferOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// The peer's answer to our last offer: <paramref name="provisional"/> for an answer in a 1xx
    /// (early media; a later one — another fork, or the 2xx — may replace it).
    /// </summary>
    /// <exception cref="SessionMediaException">The answer cannot be used (the session then ends the call).</exception>
    Task SetRemoteAnswerAsync(string body, bool provisional, CancellationToken cancellationToken);

    /// <summary>
    /// The peer's offer (INVITE, re-INVITE, UPDATE). Returns what the session needs to know of it
    /// (whether it puts us on hold).
    /// </summary>
    /// <exception cref="SessionMediaException">The offer cannot be used: answered 488 with its Warning text.</exception>
    Task<RemoteOfferInfo> SetRemoteOfferAsync(string body, CancellationToken cancellationToken);

    /// <summary>Our answer to the offer set last (the same answer again if asked twice: 183 then 200).</summary>
    Task<string> CreateAnswerAsync(CancellationToken cancellationToken);

    /// <summary>Drops our outstanding offer (refused re-INVITE: 488, 491…), back to the last agreed state.</summary>
    Task RollbackAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The media is gone for good: ICE/DTLS failed, or nothing received from the peer for the
    /// handler's inactivity limit. The session ends with BYE (<see cref="SessionEndReason.MediaFailed"/>).
    /// </summary>
    event EventHandler<SessionMediaFailedEventArgs>? MediaFailed;
}

/// <summary>What a new local offer must do.</summary>
/// <param name="Hold">Offer to hold (sendonly, or inactive when the peer holds too — RFC 3264 §8.4) instead of sendrecv.</param>
/// <param name="IceRestart">New ICE credentials (a changed network path); handlers without ICE ignore it.</param>
public readonly record struct SessionOfferOptions(bool Hold = false, bool IceRestart = false);

/// <summary>What the session learns from a remote offer.</summary>
/// <param name="IsHold">The offer puts us on hold (sendonly/inactive, or a 0.0.0.0 connection address).</param>
public readonly record struct RemoteOfferInfo(bool IsHold);

/// <summary>Creates the media handler of each new session (outgoing, or incoming once the INVITE arrived).</summary>
public interface ISessionMediaHandlerFactory
{
    /// <summary>
    /// A handler for <paramref name="request"/>. For an incoming session <see cref="SessionMediaRequest.RemoteOffer"/>
    /// is the INVITE's body (null when it had none), so a factory can choose by what the peer offers
    /// (WebRTC vs plain RTP). Throw <see cref="SessionMediaException"/> to refuse with 488.
    /// </summary>
    ISessionMediaHandler Create(SessionMediaRequest request);
}

/// <summary>Why a handler is wanted.</summary>
/// <param name="Direction">Who sent the INVITE.</param>
/// <param name="RemoteOffer">The INVITE's body (incoming with an offer), else null.</param>
/// <param name="RemoteContentType">The INVITE's Content-Type (incoming), else null.</param>
/// <param name="Target">The Request-URI (outgoing: whom we call; incoming: how we were reached).</param>
public sealed record SessionMediaRequest(SessionDirection Direction, string? RemoteOffer, string? RemoteContentType, Message.UriReference Target)
{
    /// <summary>
    /// What the code that placed an outgoing call passed to <see cref="SessionAgent.CreateInviter"/> for its
    /// media (e.g. a per-call media choice); null for incoming sessions and when nothing was passed.
    /// </summary>
    public object? CallerData { get; init; }
}

public enum SessionDirection
{
    Outgoing,
    Incoming,
}

/// <summary>
/// A body the media cannot use. The session answers <see cref="StatusCode"/> (488 Not Acceptable
/// Here) with <c>Warning: <see cref="WarningCode"/> host "Message"</c> (RFC 3261 §20.43: 305
/// incompatible media format, 304 media type not available, 301/302 transport/protocol).
/// </summary>
public class SessionMediaException : Exception
{
    public SessionMediaException(string message, int warningCode = 305, Exception? innerException = null)
        : base(message, innerException)
    {
        WarningCode = warningCode;
    }

    public int StatusCode { get; init; } = 488;

    public int WarningCode { get; }
}

public sealed class SessionMediaFailedEventArgs(string reason) : EventArgs
{
    /// <summary>Readable cause, e.g. "ICE failed" or "no RTP/RTCP from the peer for 30 s".</summary>
    public string Reason { get; } = reason;
}
