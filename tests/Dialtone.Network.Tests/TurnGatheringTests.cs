using System.Text.Json.Nodes;
using Dialtone.Network.Tests.Lab;

namespace Dialtone.Network.Tests;

/// <summary>Which candidates Dialtone gathers from the lab's coturn behind a UDP-blocking firewall.</summary>
[Collection(NetLabCollection.Name)]
public sealed class TurnGatheringTests(NetLab lab)
{
    private async Task<JsonArray> GatherAsync(params string[] ice)
    {
        using var agent = LabAgent.Start(1, ["--server", lab.SipTcp, "--user", "alice", "--password", "alice-secret", "--gather-only", "true",
            "--gather-cap", "5000", .. ice, .. NetLab.TurnCredentials]);
        var gathered = await agent.WaitForAsync("gathered", LabCall.Generous);
        return (JsonArray)gathered["candidates"]!;
    }

    [Fact]
    public async Task TURN_over_TCP_gives_a_relay_candidate_when_UDP_is_blocked()
    {
        await lab.NatAsync(1, "udp-blocked");
        var candidates = await GatherAsync("--ice", lab.Stun, "--ice", lab.TurnTcp);
        Assert.Contains(candidates, c => (string?)c!["type"] == "relay" && (string?)c["address"] == NetLab.TurnIp);
        Assert.DoesNotContain(candidates, c => (string?)c!["type"] == "srflx"); // STUN is UDP: blocked
    }

    [Fact]
    public async Task TURN_over_TLS_refuses_a_relay_whose_certificate_does_not_chain_to_a_trusted_root()
    {
        // libwebrtc verifies a turns: server's certificate against its built-in roots; the lab's
        // certificate comes from a private test CA, which the application did not say it trusts.
        // Secure by default: no relay candidate rather than an unauthenticated relay.
        await lab.NatAsync(1, "udp-blocked");
        var candidates = await GatherAsync("--ice", lab.TurnTlsByName);
        Assert.DoesNotContain(candidates, c => (string?)c!["type"] == "relay");
        Assert.Contains(candidates, c => (string?)c!["type"] == "host");
    }

    [Fact]
    public async Task TURN_over_TLS_gives_a_relay_candidate_once_the_application_trusts_the_servers_CA()
    {
        await lab.NatAsync(1, "udp-blocked");
        var candidates = await GatherAsync("--ice", lab.TurnTlsByName, "--turn-ca", lab.CaFile);
        Assert.Contains(candidates, c => (string?)c!["type"] == "relay" && (string?)c["address"] == NetLab.TurnIp);
    }

    [Fact]
    public async Task TURN_over_TLS_still_refuses_a_server_whose_certificate_comes_from_another_CA()
    {
        // A trusted CA that did not sign coturn's certificate: the verifier must not accept anything.
        await lab.NatAsync(1, "udp-blocked");
        var candidates = await GatherAsync("--ice", lab.TurnTlsByName, "--turn-ca", NetLab.OtherCaFile);
        Assert.DoesNotContain(candidates, c => (string?)c!["type"] == "relay");
    }

    [Fact]
    public async Task TURN_over_TLS_by_IP_address_is_refused_even_with_the_CA_because_the_name_cannot_be_checked()
    {
        // libwebrtc matches the certificate's DNS names against the URL's host (X509_check_host),
        // never its IP addresses: a turns: URL must name the server. The CA alone is not enough.
        await lab.NatAsync(1, "udp-blocked");
        var candidates = await GatherAsync("--ice", lab.TurnTls, "--turn-ca", lab.CaFile);
        Assert.DoesNotContain(candidates, c => (string?)c!["type"] == "relay");
    }
}
