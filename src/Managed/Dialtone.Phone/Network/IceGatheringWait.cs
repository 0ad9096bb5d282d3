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
    /// <summary>
    /// Waits (after SetLocalDescriptionAsync) until the local description may be sent; public so
    /// applications that drive a <see cref="PeerConnection"/> themselves get the same rules. Woken by
    /// the connection's ICE reports (<see cref="PeerConnection.IceProgress"/>) and the two deadlines:
    /// no polling, no call into libwebrtc while it waits.
    /// </summary>
    /// <returns>Which rule ended the wait.</returns>
    public static async Task<IceGatheringOutcome> WaitAsync(PeerConnection peerConnection, PeerConnectionConfiguration configuration,
        TimeSpan cap, TimeSpan grace, CancellationToken cancellationToken)
    {
        var expected = Expected(configuration);
        // Connected already before this gathering began means the previous ICE generation (an
        // answer to an ICE restart after a network change): that path may be dead, so it says
        // nothing about whether the new candidates suffice.
        var connectedBefore = peerConnection.IceProgress.Connection is IceConnectionState.Connected or IceConnectionState.Completed;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var progress = peerConnection.IceProgress;
            if (progress.Gathering == IceGatheringState.Complete)
                return IceGatheringOutcome.Complete;
            if (!connectedBefore && progress.Connection is IceConnectionState.Connected or IceConnectionState.Completed)
                return IceGatheringOutcome.AlreadyConnected;
            var have = progress.LocalCandidateTypes;
            if ((have & IceCandidateTypes.PeerReflexive) != 0)
                have |= IceCandidateTypes.ServerReflexive; // our address as seen from outside, too
            if (have != IceCandidateTypes.None && (have & expected) == expected)
                return IceGatheringOutcome.AllKinds;
            var serverAnswered = (have & (IceCandidateTypes.ServerReflexive | IceCandidateTypes.Relayed)) != 0;
            var elapsed = clock.Elapsed;
            if (elapsed >= grace && serverAnswered)
                return IceGatheringOutcome.GraceWithServerAnswer;
            if (elapsed >= cap)
                return IceGatheringOutcome.Cap;
            // The next deadline that may end the wait without a report: the grace while it is ahead, then the cap.
            var deadline = elapsed < grace ? Min(grace, cap) : cap;
            try
            {
                await progress.Changed.WaitAsync(deadline - elapsed, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // A deadline: evaluate the rules again.
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>The candidate kinds <paramref name="configuration"/> can give (only relayed ones under a relay-only policy).</summary>
    internal static IceCandidateTypes Expected(PeerConnectionConfiguration configuration)
    {
        var kinds = IceCandidateTypes.Host;
        if (configuration.IceTransportPolicy == IceTransportPolicy.Relay)
            kinds = IceCandidateTypes.None; // host and server-reflexive candidates are not used
        foreach (var server in configuration.IceServers)
        {
            foreach (var url in server.Urls)
            {
                var turn = url.StartsWith("turn", StringComparison.OrdinalIgnoreCase);
                if (turn)
                    kinds |= IceCandidateTypes.Relayed;
                // STUN, and TURN over UDP, reflect our address; TURN over TCP/TLS gives none.
                var udp = !url.StartsWith("turns:", StringComparison.OrdinalIgnoreCase)
                    && !url.Contains("transport=tcp", StringComparison.OrdinalIgnoreCase);
                if (udp && configuration.IceTransportPolicy != IceTransportPolicy.Relay)
                    kinds |= IceCandidateTypes.ServerReflexive;
            }
        }
        return kinds;
    }
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
