namespace Dialtone.Sip.Transactions;

/// <summary>
/// RFC 3261 §17 timer base values (Table 4). Every other timer derives from these: A/E/G start at
/// T1 and double (E and G capped at T2), B/F/H/J and RFC 6026's L/M are 64*T1, D is 32 s on
/// unreliable transports, I/K are T4. Validated on creation; one instance per stack, never global.
/// </summary>
public sealed record SipTimerOptions
{
    public static SipTimerOptions Default { get; } = new();

    /// <summary>RTT estimate (default 500 ms).</summary>
    public TimeSpan T1 { get; init => field = Positive(value, nameof(T1)); } = TimeSpan.FromMilliseconds(500);

    /// <summary>Maximum retransmit interval for non-INVITE requests and INVITE responses (default 4 s).</summary>
    public TimeSpan T2 { get; init => field = Positive(value, nameof(T2)); } = TimeSpan.FromSeconds(4);

    /// <summary>Maximum duration a message remains in the network (default 5 s).</summary>
    public TimeSpan T4 { get; init => field = Positive(value, nameof(T4)); } = TimeSpan.FromSeconds(5);

    /// <summary>Timer D: wait time for response retransmits over unreliable transports (at least 32 s).</summary>
    public TimeSpan TimerD { get; init => field = Positive(value, nameof(TimerD)); } = TimeSpan.FromSeconds(32);

    /// <summary>64*T1: Timers B, F, H, J, L and M.</summary>
    public TimeSpan TransactionTimeout => T1 * 64;

    private static TimeSpan Positive(TimeSpan value, string name) =>
        value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(name, value, "SIP timers must be positive.");
}
