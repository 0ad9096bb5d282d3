using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dialtone.Sip.Sessions;

/// <summary>What a <see cref="SessionAgent"/> needs: who we are, how requests leave, how media is made.</summary>
public sealed record SessionAgentOptions
{
    /// <summary>Our From for outgoing sessions (address of record and display name).</summary>
    public required SipAddress Identity { get; init; }

    /// <summary>Our Contact in INVITEs, 2xx and target refreshes (change it later with <see cref="SessionAgent.Contact"/>).</summary>
    public required SipAddress Contact { get; init; }

    /// <summary>Makes each session's media.</summary>
    public required ISessionMediaHandlerFactory Media { get; init; }

    /// <summary>Where every request goes (e.g. the outbound proxy's flow); null routes by Request-URI/Route.</summary>
    public SipSendOptions? SendOptions { get; init; }

    /// <summary>Answers 401/407 to INVITE and to in-dialog requests; null sends without credentials.</summary>
    public SipDigestClient? Digest { get; init; }

    /// <summary>Methods for Allow headers.</summary>
    public string Allow { get; init; } = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY, MESSAGE";

    /// <summary>
    /// Option tags for Supported headers, beside the ones the layer adds for what is on:
    /// <c>timer</c> (<see cref="SessionTimers"/>), <c>100rel</c> (<see cref="ReliableProvisionals"/>)
    /// and <c>replaces</c> (incoming INVITE with Replaces, always).
    /// </summary>
    public string Supported { get; init; } = "outbound";

    /// <summary>RFC 4028 session timers (on by default: 1800 s asked, Min-SE 90 s).</summary>
    public SessionTimerOptions SessionTimers { get; init => field = value ?? throw new ArgumentNullException(nameof(SessionTimers)); } = new();

    /// <summary>
    /// As caller, say <c>Supported: 100rel</c> and acknowledge reliable provisional responses with
    /// PRACK (RFC 3262) — carriers send their early media that way. On by default.
    /// </summary>
    public bool ReliableProvisionals { get; init; } = true;

    /// <summary>
    /// Outgoing INVITEs carry no offer (late offer, "delayed offer"): the callee offers in its 2xx
    /// (or a reliable 18x) and our answer goes in the ACK (or the PRACK). Off by default; per call
    /// with <see cref="Inviter.LateOffer"/>.
    /// </summary>
    public bool LateOffer { get; init; }

    /// <summary>An outgoing session still unanswered after this is cancelled; null waits for the INVITE transaction.</summary>
    public TimeSpan? NoAnswerTimeout { get; init; }

    /// <summary>
    /// After sending CANCEL, the longest wait for the INVITE's final response (487, or a 2xx that
    /// won the race) before the session ends anyway: a peer may answer neither (RFC 3261 §9.1 lets
    /// the client consider the INVITE cancelled after 64·T1; 40 s leaves the last retransmission room).
    /// </summary>
    public TimeSpan CancelTimeout { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>Incoming sessions not yet taken from <see cref="SessionAgent.IncomingSessions"/>; more are answered 486.</summary>
    public int IncomingQueueLimit { get; init; } = 64;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}
