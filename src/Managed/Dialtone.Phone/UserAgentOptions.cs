using Dialtone.Phone.Media;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;
using Dialtone.WebRtc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dialtone.Phone;

/// <summary>Who a <see cref="UserAgent"/> is, where its SIP server is and how its calls sound.</summary>
public sealed record UserAgentOptions
{
    /// <summary>
    /// The SIP server every request goes through (an outbound proxy): <c>ws://host:port/path</c> or
    /// <c>wss://…</c> for SIP over WebSocket (RFC 7118), or <c>sip:host:port;transport=udp|tcp|tls</c>
    /// (<c>sips:</c> for TLS) for classic SIP.
    /// </summary>
    public required string Server { get; init; }

    /// <summary>Our address of record, e.g. <c>sip:alice@example.com</c>.</summary>
    public required SipUri AddressOfRecord { get; init; }

    public string? DisplayName { get; init; }

    /// <summary>Digest credentials for 401/407 challenges; null when the server asks for none.</summary>
    public SipCredentials? Credentials { get; init; }

    /// <summary>Requested registration lifetime.</summary>
    public TimeSpan RegisterExpires { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// This device's RFC 5626 instance id (<c>+sip.instance</c>): keep it stable across restarts so the
    /// registrar replaces our old binding instead of adding one. A new one per user agent if null.
    /// </summary>
    public Guid? InstanceId { get; init; }

    /// <summary>
    /// After the connection to the server is lost: the first wait before reconnecting and registering
    /// again, doubled (with jitter) per failed attempt up to <see cref="ReconnectMaxDelay"/>.
    /// </summary>
    public TimeSpan ReconnectBaseDelay { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The shortest <see cref="KeepAliveInterval"/> accepted.</summary>
    public static readonly TimeSpan MinimumKeepAliveInterval = TimeSpan.FromSeconds(1);

    /// <summary>The longest <see cref="KeepAliveInterval"/> accepted.</summary>
    public static readonly TimeSpan MaximumKeepAliveInterval = TimeSpan.FromHours(1);

    /// <summary>
    /// Keep-alive interval of the flow to the server on TCP, TLS and WebSocket (RFC 5626 §4.4.1 CRLF
    /// ping/pong, WebSocket ping/pong): a server gone silent (frozen, or a NAT that dropped the
    /// mapping) is found dead within this interval, and the user agent reconnects and registers again
    /// (the pong wait is at most 10 s and at most half the interval). 30 s by default; 1 s to 1 h.
    /// Shorter finds a dead flow sooner at the cost of more traffic. UDP flows are not kept alive.
    /// On TCP a new connection is used once the server answered its first ping, so a server that
    /// accepts connections but is not reading them (frozen) is never handed a REGISTER to read late.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Audio device and processing for every call of this user agent.</summary>
    public PeerConnectionFactoryOptions Audio { get; init; } = new() { AudioDevice = AudioDeviceKind.Virtual };

    /// <summary>ICE servers, gathering cap and other per-call media settings.</summary>
    public CallMediaOptions Media { get; init; } = new();

    /// <summary>
    /// PEM certificate authorities trusted for the TLS certificate of a <c>turns:</c> server in
    /// <see cref="Media"/>'s ICE servers, besides the built-in roots (a TURN server with a private CA's
    /// certificate). Null: <see cref="PeerConnectionFactoryOptions.TlsTrustedCertificates"/> of <see cref="Audio"/>.
    /// </summary>
    public string? TurnTlsTrustedCertificates { get; init; }

    /// <summary>
    /// Calls with carriers, PBXs and desk phones (plain RTP/AVP or SDES RTP/SAVP, no ICE/DTLS) on the
    /// same engine: incoming offers pick their path, outgoing calls follow its OutgoingProfile. Null:
    /// WebRTC only (such offers are refused 488).
    /// </summary>
    public Media.Legacy.LegacyMediaOptions? LegacyMedia { get; init; }

    /// <summary>TLS trust for wss:// and sips:/TLS servers (system roots unless a CA is given).</summary>
    public SipTlsOptions Tls { get; init; } = new();

    /// <summary>
    /// RFC 4028 session timers for every call (on: 1800 s asked, Min-SE 90 s; the refresher sends
    /// UPDATE or re-INVITE each half interval, a call the peer stops refreshing ends with BYE).
    /// </summary>
    public Sip.Sessions.SessionTimerOptions SessionTimers { get; init; } = new();

    /// <summary>Acknowledge carriers' reliable 18x (early media) with PRACK (RFC 3262); on by default.</summary>
    public bool ReliableProvisionals { get; init; } = true;

    /// <summary>How long an unanswered outgoing call may ring before it is cancelled; null for no limit.</summary>
    public TimeSpan? NoAnswerTimeout { get; init; }

    /// <summary>
    /// Follow network changes (docs/networks.md): when the address our packets to the server leave
    /// from changes, move the SIP flow there, register again and restart ICE on every call. On by default.
    /// </summary>
    public bool FollowNetworkChanges { get; init; } = true;

    public string UserAgentName { get; init; } = "Dialtone";

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    internal void Validate()
    {
        _ = ServerAddress.Parse(Server);
        SessionTimers.Validate();
        if (string.IsNullOrEmpty(AddressOfRecord.User))
            throw new ArgumentException("The address of record needs a user part, e.g. sip:alice@example.com.", nameof(AddressOfRecord));
        if (RegisterExpires < TimeSpan.FromSeconds(1))
            throw new ArgumentOutOfRangeException(nameof(RegisterExpires), RegisterExpires, "At least one second.");
        if (ReconnectBaseDelay <= TimeSpan.Zero || ReconnectMaxDelay < ReconnectBaseDelay)
            throw new ArgumentOutOfRangeException(nameof(ReconnectBaseDelay), ReconnectBaseDelay, "0 < ReconnectBaseDelay <= ReconnectMaxDelay.");
        if (KeepAliveInterval < MinimumKeepAliveInterval || KeepAliveInterval > MaximumKeepAliveInterval)
            throw new ArgumentOutOfRangeException(nameof(KeepAliveInterval), KeepAliveInterval, "Between 1 second and 1 hour.");
        CallMediaOptions.CheckCallAudio(Media.CallAudio, "Media.CallAudio");
    }

    /// <summary>Our identity as a From header value.</summary>
    internal SipAddress Identity => new(AddressOfRecord, DisplayName);
}
