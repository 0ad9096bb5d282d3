using System.Diagnostics;
using Dialtone.WebRtc;

namespace Dialtone.Phone.Network;

/// <summary>
/// When an offer or answer may leave although ICE gathering goes on. SIP carries complete SDP (no
/// trickle), so waiting for "gathering complete" makes every slow or unreachable STUN/TURN server
/// cost its full timeout in call setup (reports of 10–40 s in other phones). The description goes
/// out at the first of:
/// <list type="number">
/// <item>gathering is complete;</item>
/// <item>ICE is already connected (an answerer whose checks with the offer's candidates succeeded:
///   the candidates it has suffice for the path);</item>
/// <item>every kind of candidate the configuration can give is there (host; server-reflexive when
///   a STUN or TURN server is set; relayed when a TURN server is set) — libwebrtc may still be
///   waiting on a second interface or a slower duplicate server;</item>
/// <item>the grace has passed and at least one server answered (a server-reflexive or relayed
///   candidate): the servers that have not answered yet are slow or unreachable;</item>
/// <item>the cap.</item>
/// </list>
/// When no server answered at all, it waits up to the cap: a slow TURN server (TLS over a long
/// path) may be the only way through, and nothing says the host candidates suffice.
/// </summary>
public static class IceGatheringWait
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Waits (after SetLocalDescriptionAsync) until the local description may be sent; public so
    /// applications that drive a <see cref="PeerConnection"/> themselves get the same rules.
    /// </summary>
    /// <returns>Which rule ended the wait.</returns>
    public static async Task<IceGatheringOutcome> WaitAsync(PeerConnection peerConnection, PeerConnectionConfiguration configuration,
        TimeSpan cap, TimeSpan grace, CancellationToken cancellationToken)
    {
        var expected = Expected(configuration);
        // Connected already before this gathering began means the previous ICE generation (an
        // answer to an ICE restart after a network change): that path may be dead, so it says
        // nothing about whether the new candidates suffice.
        var connectedBefore = peerConnection.IceConnectionState is IceConnectionState.Connected or IceConnectionState.Completed;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (peerConnection.IceGatheringState == IceGatheringState.Complete)
                return IceGatheringOutcome.Complete;
            if (!connectedBefore && peerConnection.IceConnectionState is IceConnectionState.Connected or IceConnectionState.Completed)
                return IceGatheringOutcome.AlreadyConnected;
            var have = CandidateKindsIn(peerConnection.LocalDescription?.Sdp);
            if (have != CandidateKinds.None && (have & expected) == expected)
                return IceGatheringOutcome.AllKinds;
            if (clock.Elapsed >= grace && (have & (CandidateKinds.ServerReflexive | CandidateKinds.Relayed)) != 0)
                return IceGatheringOutcome.GraceWithServerAnswer;
            if (clock.Elapsed >= cap)
                return IceGatheringOutcome.Cap;
            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The candidate kinds <paramref name="configuration"/> can give (only relayed ones under a relay-only policy).</summary>
    internal static CandidateKinds Expected(PeerConnectionConfiguration configuration)
    {
        var kinds = CandidateKinds.Host;
        if (configuration.IceTransportPolicy == IceTransportPolicy.Relay)
            kinds = CandidateKinds.None; // host and server-reflexive candidates are not used
        foreach (var server in configuration.IceServers)
        {
            foreach (var url in server.Urls)
            {
                var turn = url.StartsWith("turn", StringComparison.OrdinalIgnoreCase);
                if (turn)
                    kinds |= CandidateKinds.Relayed;
                // STUN, and TURN over UDP, reflect our address; TURN over TCP/TLS gives none.
                var udp = !url.StartsWith("turns:", StringComparison.OrdinalIgnoreCase)
                    && !url.Contains("transport=tcp", StringComparison.OrdinalIgnoreCase);
                if (udp && configuration.IceTransportPolicy != IceTransportPolicy.Relay)
                    kinds |= CandidateKinds.ServerReflexive;
            }
        }
        return kinds;
    }

    /// <summary>The kinds of the a=candidate lines of an SDP (RFC 8839 "typ").</summary>
    internal static CandidateKinds CandidateKindsIn(string? sdp)
    {
        var kinds = CandidateKinds.None;
        if (sdp is null)
            return kinds;
        foreach (var raw in sdp.Split('\n'))
        {
            var line = raw.AsSpan().Trim();
            if (!line.StartsWith("a=candidate:", StringComparison.Ordinal))
                continue;
            var typ = line.IndexOf(" typ ", StringComparison.Ordinal);
            if (typ < 0)
                continue;
            var rest = line[(typ + 5)..];
            var end = rest.IndexOf(' ');
            var type = end < 0 ? rest : rest[..end];
            kinds |= type switch
            {
                "host" => CandidateKinds.Host,
                "srflx" or "prflx" => CandidateKinds.ServerReflexive,
                "relay" => CandidateKinds.Relayed,
                _ => CandidateKinds.None,
            };
        }
        return kinds;
    }
}

[Flags]
internal enum CandidateKinds
{
    None = 0,
    Host = 1,
    ServerReflexive = 2,
    Relayed = 4,
}

/// <summary>Which rule let a description leave (see <see cref="IceGatheringWait"/>).</summary>
public enum IceGatheringOutcome
{
    /// <summary>libwebrtc finished gathering.</summary>
    Complete,
    /// <summary>ICE already connected with the candidates gathered so far.</summary>
    AlreadyConnected,
    /// <summary>Every candidate kind the configuration can give was there.</summary>
    AllKinds,
    /// <summary>The grace passed after at least one server answered.</summary>
    GraceWithServerAnswer,
    /// <summary>The cap was reached.</summary>
    Cap,
}
