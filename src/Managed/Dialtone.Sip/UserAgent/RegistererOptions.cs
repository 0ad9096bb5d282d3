using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.UserAgent;

/// <summary>What and where to register (RFC 3261 §10, RFC 5626 outbound).</summary>
public sealed record RegistererOptions
{
    /// <summary>The address of record, e.g. <c>sip:alice@example.com</c>.</summary>
    public required SipUri AddressOfRecord { get; init; }

    /// <summary>The registrar; defaults to the AOR's domain (RFC 3261 §10.2.6).</summary>
    public SipUri? Registrar { get; init; }

    /// <summary>Outbound proxy the REGISTER is routed through (as a loose route), e.g. <c>sip:edge.example.com;transport=ws;lr</c>.</summary>
    public SipUri? OutboundProxy { get; init; }

    /// <summary>The transport (flow) to register over; its Via/Contact host is used in the Contact.</summary>
    public required ISipTransport Transport { get; init; }

    /// <summary>Credentials for 401/407 challenges; null when the registrar does not authenticate.</summary>
    public SipCredentials? Credentials { get; init; }

    /// <summary>Requested registration lifetime.</summary>
    public TimeSpan Expires { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>Refresh this long before the granted expiry (or at half of it, when it is shorter than twice this).</summary>
    public TimeSpan RefreshMargin { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The stable instance URN (RFC 5626 §4.1, <c>+sip.instance</c>), the same across restarts of
    /// this device; persist it. Null disables outbound (no +sip.instance / reg-id).
    /// </summary>
    public Guid? InstanceId { get; init; }

    /// <summary>RFC 5626 reg-id of this flow.</summary>
    public int RegId { get; init; } = 1;

    /// <summary>
    /// While the registrar cannot be reached after a flow failure (connection refused or reset,
    /// connect or REGISTER timed out), the next reconnect-and-register attempt starts after a
    /// random 50–100 % of this interval, for as long as the outage lasts: registration is restored
    /// within about this interval (plus one REGISTER round trip) of the server's return. Each probe
    /// is one connection attempt; the jitter spreads many clients' probes over the interval.
    /// </summary>
    public TimeSpan FlowProbeInterval
    {
        get;
        init => field = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(FlowProbeInterval), value, "The probe interval must be positive.");
    } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// First delay before trying again when the registrar answered but is unavailable
    /// (408, 480, 500, 503, 504); doubled per failure, with jitter (RFC 5626 §4.5). A longer
    /// Retry-After is honoured.
    /// </summary>
    public TimeSpan FlowRecoveryBaseDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound of the retry delay after "unavailable" answers (RFC 5626 §4.5 suggests 1800 s).</summary>
    public TimeSpan FlowRecoveryMaxDelay { get; init; } = TimeSpan.FromSeconds(1800);

    /// <summary>
    /// Re-opens the flow before re-registering. Defaults to reconnecting a
    /// <see cref="SipWebSocketTransport"/>; stream transports reconnect on the next send.
    /// </summary>
    public Func<CancellationToken, Task>? Reconnect { get; init; }

    /// <summary>How long unregistering on dispose may take.</summary>
    public TimeSpan UnregisterTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
