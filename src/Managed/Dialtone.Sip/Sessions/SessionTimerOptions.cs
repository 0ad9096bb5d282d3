namespace Dialtone.Sip.Sessions;

/// <summary>
/// RFC 4028 session timers: a session is kept alive by a refresh (re-INVITE or UPDATE) every half
/// interval by the side the negotiation names refresher; the other side ends it with BYE when no
/// refresh came in time. Carriers and PBXs use it to clear calls whose other end vanished.
/// </summary>
public sealed record SessionTimerOptions
{
    /// <summary>The smallest interval RFC 4028 allows a UA to ask for (§4: Min-SE is at least 90 s).</summary>
    public static readonly TimeSpan RecommendedMinimum = TimeSpan.FromSeconds(90);

    /// <summary>Ask for and accept session timers (Supported: timer, Session-Expires). Off: neither sent nor honoured.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// The Session-Expires we ask for in our INVITEs and, as callee, put in our 2xx when the caller
    /// asked for none. RFC 4028 recommends 1800 s.
    /// </summary>
    public TimeSpan Interval
    {
        get;
        init => field = value >= TimeSpan.FromSeconds(1) && value.TotalSeconds <= uint.MaxValue
            ? TimeSpan.FromSeconds(Math.Ceiling(value.TotalSeconds))
            : throw new ArgumentOutOfRangeException(nameof(Interval), value, "At least one second.");
    } = TimeSpan.FromSeconds(1800);

    /// <summary>
    /// Min-SE: the shortest interval we accept; a peer asking for less is answered 422 Session
    /// Interval Too Small (RFC 4028 §9). Keep it at 90 s or more outside tests.
    /// </summary>
    public TimeSpan MinimumInterval
    {
        get;
        init => field = value >= TimeSpan.FromSeconds(1) && value.TotalSeconds <= uint.MaxValue
            ? TimeSpan.FromSeconds(Math.Ceiling(value.TotalSeconds))
            : throw new ArgumentOutOfRangeException(nameof(MinimumInterval), value, "At least one second.");
    } = RecommendedMinimum;

    /// <summary>
    /// Refresh with an UPDATE without a body when the peer's Allow lists UPDATE (RFC 4028 §7.4's
    /// preference: no media work); otherwise, and always when false, with a re-INVITE carrying a
    /// new offer of the same media (a peer that mishandles UPDATE, or one that wants the SDP each time).
    /// </summary>
    public bool RefreshByUpdate { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> when the interval is below the minimum.</summary>
    public void Validate()
    {
        if (Interval < MinimumInterval)
            throw new ArgumentException($"The session interval ({Interval.TotalSeconds} s) is below its own minimum ({MinimumInterval.TotalSeconds} s).", nameof(Interval));
    }
}
