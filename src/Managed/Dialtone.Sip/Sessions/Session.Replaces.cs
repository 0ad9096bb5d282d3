namespace Dialtone.Sip.Sessions;

/// <summary>Another session took this one's place (RFC 3891 Replaces, e.g. the end of an attended transfer).</summary>
public sealed class SessionReplacedEventArgs(Invitation newSession) : EventArgs
{
    /// <summary>The incoming session that replaced this one (answered already).</summary>
    public Invitation NewSession { get; } = newSession;
}

public abstract partial class Session
{
    /// <summary>
    /// An INVITE with Replaces naming this session was answered (RFC 3891): the new session is
    /// <see cref="SessionReplacedEventArgs.NewSession"/>; this one ends with BYE (<see cref="SessionEndReason.Transferred"/>).
    /// </summary>
    public event EventHandler<SessionReplacedEventArgs>? Replaced;

    /// <summary>Ends this session because <paramref name="by"/> replaced it: the event, then BYE.</summary>
    internal Task EndReplacedAsync(Invitation by)
    {
        if (State == SessionState.Ended)
            return Task.CompletedTask;
        Raise(Replaced, new SessionReplacedEventArgs(by));
        return ByeOnExecutorAsync(new SessionEnd(SessionEndReason.Transferred, Detail: $"replaced by the call {by.CallId} (RFC 3891)"), CancellationToken.None);
    }
}
