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
}
