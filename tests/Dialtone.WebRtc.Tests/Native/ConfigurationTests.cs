using Dialtone.WebRtc.Tests.Infrastructure;

namespace Dialtone.WebRtc.Tests.Native;

[Collection(NativeCollection.Name)]
public sealed class ConfigurationTests
{
    [Fact]
    public async Task RelayPolicyGathersNoHostCandidates()
    {
        using var factory = new PeerConnectionFactory();
        // Nothing listens on these ports: no relay candidate can be had, and policy relay forbids the rest.
        await using var relayOnly = factory.CreatePeerConnection(new PeerConnectionConfiguration
        {
            IceServers = [new IceServer("stun:127.0.0.1:9"), new IceServer("turn:127.0.0.1:9?transport=udp", "user", "secret")],
            IceTransportPolicy = IceTransportPolicy.Relay,
        });
        await using var all = factory.CreatePeerConnection();
        relayOnly.AddAudioTrack();
        all.AddAudioTrack();

        await relayOnly.SetLocalDescriptionAsync(await relayOnly.CreateOfferAsync());
        await all.SetLocalDescriptionAsync(await all.CreateOfferAsync());
        await all.WaitForIceGatheringCompleteAsync(TimeSpan.FromSeconds(10));
        await relayOnly.WaitForIceGatheringCompleteAsync(TimeSpan.FromSeconds(5));

        Assert.Contains("typ host", all.LocalDescription!.Sdp, StringComparison.Ordinal);
        Assert.DoesNotContain("typ host", relayOnly.LocalDescription!.Sdp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PortRangeIsHonoured()
    {
        using var factory = new PeerConnectionFactory();
        await using var pc = factory.CreatePeerConnection(new PeerConnectionConfiguration { MinPort = 42000, MaxPort = 42100 });
        pc.AddAudioTrack();
        await pc.SetLocalDescriptionAsync(await pc.CreateOfferAsync());
        Assert.True(await pc.WaitForIceGatheringCompleteAsync(TimeSpan.FromSeconds(10)));
        var ports = System.Text.RegularExpressions.Regex.Matches(pc.LocalDescription!.Sdp, @"a=candidate:\S+ \d+ udp \d+ \S+ (\d+) typ host")
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(ports);
        Assert.All(ports, p => Assert.InRange(p, 42000, 42100));
    }

    [Fact]
    public async Task IceCandidatesAreStreamedForTrickle()
    {
        using var factory = new PeerConnectionFactory();
        await using var pc = factory.CreatePeerConnection();
        pc.AddAudioTrack();
        await pc.SetLocalDescriptionAsync(await pc.CreateOfferAsync());
        using var cts = new CancellationTokenSource(Loopback.Timeout);
        var first = await pc.IceCandidates.ReadAsync(cts.Token);
        Assert.StartsWith("candidate:", first.Candidate, StringComparison.Ordinal);
        Assert.Equal("0", first.SdpMid);
        Assert.Equal(0, first.SdpMLineIndex);
    }

    [Fact]
    public async Task IceProgressReportsWhatTheConnectionGatheredWithoutAskingIt()
    {
        using var factory = new PeerConnectionFactory();
        var pc = factory.CreatePeerConnection();
        Assert.Equal((IceGatheringState.New, IceConnectionState.New, IceCandidateTypes.None), (pc.IceProgress.Gathering, pc.IceProgress.Connection, pc.IceProgress.LocalCandidateTypes));
        pc.AddAudioTrack();
        var beforeOffer = pc.IceProgress.Changed;
        await pc.SetLocalDescriptionAsync(await pc.CreateOfferAsync());
        await beforeOffer.WaitAsync(Loopback.Timeout); // gathering began: a report
        Assert.True(await pc.WaitForIceGatheringCompleteAsync(Loopback.Timeout));

        var progress = pc.IceProgress;
        Assert.Equal(IceGatheringState.Complete, progress.Gathering);
        Assert.Equal(pc.IceGatheringState, progress.Gathering); // the live getter agrees
        Assert.Equal(IceCandidateTypes.Host, progress.LocalCandidateTypes); // no STUN or TURN server: host only
        Assert.Contains("typ host", pc.LocalDescription!.Sdp, StringComparison.Ordinal);
        Assert.False(progress.Changed.IsCompleted);

        await pc.DisposeAsync();
        await progress.Changed.WaitAsync(Loopback.Timeout); // a waiter is woken by dispose ...
        Assert.Throws<ObjectDisposedException>(() => pc.IceProgress); // ... and told so, not left spinning
    }

    [Theory]
    [InlineData("candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host generation 0", IceCandidateTypes.Host)]
    [InlineData("candidate:2 1 udp 1686052607 203.0.113.7 61000 typ srflx raddr 192.0.2.1 rport 50000", IceCandidateTypes.ServerReflexive)]
    [InlineData("candidate:3 1 udp 41885439 198.51.100.9 3478 typ relay raddr 203.0.113.7 rport 61000", IceCandidateTypes.Relayed)]
    [InlineData("candidate:4 1 udp 1845501695 203.0.113.8 61001 typ prflx", IceCandidateTypes.PeerReflexive)]
    [InlineData("candidate:5 1 udp 1 192.0.2.1 1 typ hostile", IceCandidateTypes.None)]
    [InlineData("candidate:6 1 udp 1 192.0.2.1 1", IceCandidateTypes.None)]
    public void CandidateTypeIsTheTypOfTheLine(string line, IceCandidateTypes expected) => Assert.Equal(expected, IceCandidateLine.TypeOf(line));

    [Fact]
    public void UfragsAreReadFromCandidatesAndDescriptions()
    {
        Assert.Equal("Ab+/", IceCandidateLine.UfragOf("candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host generation 0 ufrag Ab+/ network-id 1"));
        Assert.Null(IceCandidateLine.UfragOf("candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host"));
        Assert.Equal("x9Yz", IceCandidateLine.UfragOfDescription("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ice-ufrag:x9Yz\r\na=ice-pwd:p\r\n"));
        Assert.Null(IceCandidateLine.UfragOfDescription("v=0\r\n"));
    }

    [Fact]
    public async Task AnIceRestartGathersAgainUnderNewCredentialsAndIceProgressFollowsIt()
    {
        using var factory = new PeerConnectionFactory();
        await using var pc = factory.CreatePeerConnection();
        pc.AddAudioTrack();
        var first = await pc.CreateOfferAsync();
        await pc.SetLocalDescriptionAsync(first);
        Assert.True(await pc.WaitForIceGatheringCompleteAsync(Loopback.Timeout));
        Assert.Equal(IceCandidateTypes.Host, pc.IceProgress.LocalCandidateTypes);
        while (pc.IceCandidates.TryRead(out _))
        {
        }

        var restart = await pc.CreateOfferAsync(new OfferAnswerOptions { IceRestart = true });
        var newUfrag = IceCandidateLine.UfragOfDescription(restart.Sdp);
        Assert.NotNull(newUfrag);
        Assert.NotEqual(IceCandidateLine.UfragOfDescription(first.Sdp), newUfrag);
        await pc.SetLocalDescriptionAsync(restart);
        using var cts = new CancellationTokenSource(Loopback.Timeout);
        var candidate = await pc.IceCandidates.ReadAsync(cts.Token);
        Assert.Equal(newUfrag, IceCandidateLine.UfragOf(candidate.Candidate)); // what the progress counts is told apart by this
        while (pc.IceProgress is { Gathering: not IceGatheringState.Complete } p)
        {
            await p.Changed.WaitAsync(cts.Token);
        }

        Assert.Equal(IceCandidateTypes.Host, pc.IceProgress.LocalCandidateTypes);
    }
}
