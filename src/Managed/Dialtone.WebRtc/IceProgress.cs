namespace Dialtone.WebRtc;

/// <summary>
/// ICE as a peer connection's observer last reported it: the gathering state, the ICE connection
/// state and the types of the local candidates gathered under the current ICE credentials, with a task that
/// completes at the next report (<see cref="PeerConnection.IceProgress"/>). Reading it makes no call
/// into libwebrtc — each state getter of <see cref="PeerConnection"/> is a blocking round trip to
/// libwebrtc's signalling thread — so code that waits on ICE (a SIP offer or answer waiting for its
/// candidates) reads this and awaits <see cref="Changed"/> instead of polling.
/// </summary>
/// <param name="Gathering">The last reported gathering state.</param>
/// <param name="Connection">The last reported (standardised) ICE connection state.</param>
/// <param name="LocalCandidateTypes">Types of the local candidates reported for the ICE credentials of the last local
/// description set (its a=ice-ufrag): an ICE restart starts again from none, and late candidates of the old credentials do not count.</param>
/// <param name="Changed">Completes at the next report (or when the connection is disposed).</param>
public readonly record struct IceProgress(IceGatheringState Gathering, IceConnectionState Connection, IceCandidateTypes LocalCandidateTypes, Task Changed);

/// <summary>Types of ICE candidates (RFC 8445 §5.1.1; the "typ" of an RFC 8839 candidate line).</summary>
[Flags]
public enum IceCandidateTypes
{
    None = 0,
    /// <summary>"host": an address of a local interface.</summary>
    Host = 1,
    /// <summary>"srflx": our address as a STUN (or TURN) server saw it.</summary>
    ServerReflexive = 2,
    /// <summary>"prflx": learnt from a connectivity check.</summary>
    PeerReflexive = 4,
    /// <summary>"relay": an address allocated on a TURN server.</summary>
    Relayed = 8,
}

internal static class IceCandidateLine
{
    /// <summary>The type of an RFC 8839 candidate line ("candidate:… typ host …"); None when it has none.</summary>
    public static IceCandidateTypes TypeOf(string candidate)
    {
        var line = candidate.AsSpan();
        var typ = line.IndexOf(" typ ", StringComparison.Ordinal);
        if (typ < 0)
        {
            return IceCandidateTypes.None;
        }

        var rest = line[(typ + 5)..];
        var end = rest.IndexOfAny(' ', '\r', '\n');
        return (end < 0 ? rest : rest[..end]) switch
        {
            "host" => IceCandidateTypes.Host,
            "srflx" => IceCandidateTypes.ServerReflexive,
            "prflx" => IceCandidateTypes.PeerReflexive,
            "relay" => IceCandidateTypes.Relayed,
            _ => IceCandidateTypes.None,
        };
    }

    /// <summary>The "ufrag" extension of a candidate line (libwebrtc writes it), or null.</summary>
    public static string? UfragOf(string candidate) => ValueAfter(candidate, " ufrag ");

    /// <summary>The first a=ice-ufrag of an SDP, or null.</summary>
    public static string? UfragOfDescription(string sdp) => ValueAfter(sdp, "a=ice-ufrag:");

    private static string? ValueAfter(string text, string key)
    {
        var at = text.AsSpan().IndexOf(key, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var rest = text.AsSpan(at + key.Length);
        var end = rest.IndexOfAny(' ', '\r', '\n');
        return (end < 0 ? rest : rest[..end]).ToString();
    }
}
