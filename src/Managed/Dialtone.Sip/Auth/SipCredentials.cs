using System.Diagnostics;

namespace Dialtone.Sip.Auth;

/// <summary>
/// A digest username and password, optionally limited to one realm. The password is never
/// exposed: not as a public property, not in <see cref="ToString"/>, not in the debugger view,
/// so it cannot end up in logs by accident.
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class SipCredentials
{
    public SipCredentials(string username, string password, string? realm = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentNullException.ThrowIfNull(password);
        Username = username;
        Password = password;
        Realm = realm;
    }

    /// <summary>The authentication user name (may differ from the user part of the AOR).</summary>
    public string Username { get; }

    /// <summary>The realm these credentials are for, or null for any realm.</summary>
    public string? Realm { get; }

    internal string Password { get; }

    public bool AppliesTo(string realm) => Realm is null || string.Equals(Realm, realm, StringComparison.Ordinal);

    public override string ToString() => $"SipCredentials {{ Username = {Username}, Realm = {Realm ?? "(any)"}, Password = *** }}";
}
