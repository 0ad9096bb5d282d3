using Dialtone.Network.Tests.Lab;

namespace Dialtone.Network.Tests;

/// <summary>
/// Dialtone ↔ Dialtone calls across the NATs of the lab, each asserting audio both ways and the ICE
/// candidate pair (from the stats) that carried it.
/// </summary>
[Collection(NetLabCollection.Name)]
public sealed class CallsAcrossNatsTests(NetLab lab)
{
    [Fact]
    public async Task Two_cone_NATs_with_STUN_connect_server_reflexive_to_server_reflexive()
    {
        await lab.NatAsync(1, "cone");
        await lab.NatAsync(2, "cone");
        string[] ice = ["--ice", lab.Stun];

        var (alice, bob) = await LabCall.RunAsync(lab, 1, ice, 2, ice);

        LabCall.AssertAudioBothWays(alice, bob);
        Assert.Equal("srflx", alice.LocalType);
        Assert.Equal("srflx", bob.LocalType);
        // Each side's reflexive address is its router's public address, which the other side sent to.
        Assert.Equal("203.0.113.101", (string?)alice.Local["address"]);
        Assert.Equal("203.0.113.102", (string?)alice.Remote["address"]);
        Assert.Equal("udp", (string?)alice.Local["protocol"]);
    }

    [Fact]
    public async Task Two_symmetric_NATs_need_a_TURN_relay_over_UDP()
    {
        await lab.NatAsync(1, "symmetric");
        await lab.NatAsync(2, "symmetric");
        string[] ice = ["--ice", lab.Stun, "--ice", lab.TurnUdp, .. NetLab.TurnCredentials];

        var (alice, bob) = await LabCall.RunAsync(lab, 1, ice, 2, ice);

        LabCall.AssertAudioBothWays(alice, bob);
        // Symmetric mappings defeat server-reflexive pairs: at least one side sends through its
        // relay (TURN permissions are per address, so the other side may reach it from a
        // peer-reflexive port of its own).
        var relayed = new[] { alice, bob }.Where(s => s.LocalType == "relay").ToList();
        Assert.True(relayed.Count >= 1, $"no relayed side: alice {alice}, bob {bob}");
        Assert.All(relayed, s => Assert.Equal("udp", s.LocalRelayProtocol));
        Assert.All(relayed, s => Assert.Equal(NetLab.TurnIp, (string?)s.Local["address"]));
        Assert.DoesNotContain(new[] { alice, bob }, s => s.LocalType == "srflx" && (string?)s.Remote["type"] == "srflx");
    }

    [Fact]
    public async Task With_UDP_blocked_the_call_goes_through_TURN_over_TCP()
    {
        await lab.NatAsync(1, "udp-blocked");
        await lab.NatAsync(2, "cone");

        var (alice, bob) = await LabCall.RunAsync(lab, 1, ["--ice", lab.TurnTcp, .. NetLab.TurnCredentials], 2, ["--ice", lab.Stun]);

        LabCall.AssertAudioBothWays(alice, bob);
        Assert.Equal("relay", alice.LocalType);
        Assert.Equal("tcp", alice.LocalRelayProtocol);
        Assert.Equal(NetLab.TurnIp, (string?)bob.Remote["address"]);
    }

    [Fact]
    public async Task With_UDP_blocked_the_call_goes_through_TURN_over_TLS_from_a_CA_the_application_trusts()
    {
        // coturn's certificate comes from the lab's private test CA: refused by default
        // (TurnGatheringTests), accepted once the application trusts that CA (--turn-ca).
        await lab.NatAsync(1, "udp-blocked");
        await lab.NatAsync(2, "cone");

        var (alice, bob) = await LabCall.RunAsync(lab, 1, ["--ice", lab.TurnTlsByName, "--turn-ca", lab.CaFile, .. NetLab.TurnCredentials], 2, ["--ice", lab.Stun]);

        LabCall.AssertAudioBothWays(alice, bob);
        Assert.Equal("relay", alice.LocalType);
        Assert.Equal("tls", alice.LocalRelayProtocol);
        Assert.Equal(NetLab.TurnIp, (string?)bob.Remote["address"]);
    }

    [Fact]
    public async Task SIP_over_WSS_through_a_symmetric_NAT_receives_its_calls_over_the_registered_flow()
    {
        // Bob's router drops every unsolicited packet: the INVITE can only reach him over the
        // WebSocket connection he registered on (RFC 5626 flow, Kamailio's contact alias).
        await lab.NatAsync(1, "cone");
        await lab.NatAsync(2, "symmetric");
        string[] ice = ["--ice", lab.Stun, "--ice", lab.TurnUdp, .. NetLab.TurnCredentials];

        var (alice, bob) = await LabCall.RunAsync(lab, 1, ice, 2, ice, bobServer: lab.SipWss, aliceServer: lab.SipWss);

        LabCall.AssertAudioBothWays(alice, bob);
        Assert.Equal("LocalHangup", (string?)alice.Result["end"]);
        Assert.Equal("RemoteHangup", (string?)bob.Result["end"]);
    }
}
