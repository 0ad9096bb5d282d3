namespace Dialtone.Sip.UserAgent;

/// <summary>
/// Where a <see cref="Registerer"/> stands. Legal moves: Unregistered → Registering → Registered
/// or Failed; Registered → Registering (refresh) or Recovering (flow lost) or Unregistered;
/// Recovering → Registering (after the backoff); any → Disposed.
/// </summary>
public enum RegistrationState
{
    Unregistered,
    Registering,
    Registered,
    /// <summary>The flow failed; waiting out the backoff before reconnecting and re-registering.</summary>
    Recovering,
    /// <summary>The last attempt was refused (see <see cref="RegistrationStateChangedEventArgs.Error"/>).</summary>
    Failed,
    Disposed,
}

/// <param name="State">The new state.</param>
/// <param name="Error">Why, for <see cref="RegistrationState.Failed"/> and <see cref="RegistrationState.Recovering"/>.</param>
/// <param name="Expires">The lifetime the registrar granted, when <see cref="RegistrationState.Registered"/>.</param>
public sealed record RegistrationStateChangedEventArgs(RegistrationState State, Exception? Error = null, TimeSpan? Expires = null);
