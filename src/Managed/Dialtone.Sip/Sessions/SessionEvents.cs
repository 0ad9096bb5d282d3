using Dialtone.Sip.Message;

namespace Dialtone.Sip.Sessions;

public sealed class SessionStateChangedEventArgs(SessionState previous, SessionState state, SessionEnd? end) : EventArgs
{
    public SessionState Previous { get; } = previous;

    public SessionState State { get; } = state;

    /// <summary>Set when <see cref="State"/> is <see cref="SessionState.Ended"/>.</summary>
    public SessionEnd? End { get; } = end;
}

/// <summary>A DTMF digit from the peer, as SIP INFO.</summary>
public sealed class SessionDtmfEventArgs(char digit, TimeSpan duration) : EventArgs
{
    public char Digit { get; } = digit;

    public TimeSpan Duration { get; } = duration;
}

/// <summary>The peer transferred us (REFER): <see cref="NewSession"/> is our session to <see cref="Target"/>.</summary>
public sealed class SessionReferredEventArgs(UriReference target, Inviter newSession) : EventArgs
{
    public UriReference Target { get; } = target;

    public Inviter NewSession { get; } = newSession;

    /// <summary>For an attended transfer, the Replaces header the new INVITE carries (the call at the target it replaces); null for a blind transfer.</summary>
    public string? Replaces { get; init; }
}

/// <summary>The session ended before the operation could complete (e.g. before it was established).</summary>
public sealed class SessionEndedException(SessionEnd end) : Exception($"The call ended: {end}")
{
    public SessionEnd End { get; } = end;
}

/// <summary>Body helpers: whether a message carries a body of a type, and its text.</summary>
internal static class Bodies
{
    public static bool Has(SipMessage message) => message.Body.Length > 0;

    public static bool IsType(SipMessage message, string mediaType)
    {
        try
        {
            return message.ContentType is { } type && type.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase);
        }
        catch (SipParseException)
        {
            return false;
        }
    }

    public static string Text(SipMessage message) => System.Text.Encoding.UTF8.GetString(message.Body.Span);
}
