namespace Dialtone.Sip.Auth;

/// <summary>
/// Authentication failed: the server rejected our credentials (a fresh challenge after we
/// answered one, without <c>stale=true</c>), or it offered nothing we can answer.
/// </summary>
public sealed class SipAuthenticationException(string message, int statusCode, string? realm) : Exception(message)
{
    /// <summary>401 or 407.</summary>
    public int StatusCode { get; } = statusCode;

    public string? Realm { get; } = realm;
}
