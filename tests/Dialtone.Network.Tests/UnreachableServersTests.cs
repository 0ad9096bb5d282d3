using Dialtone.Network.Tests.Lab;

namespace Dialtone.Network.Tests;

/// <summary>ICE gathering does not hold call setup hostage to a STUN server that never answers.</summary>
[Collection(NetLabCollection.Name)]
public sealed class UnreachableServersTests(NetLab lab)
{
    [Fact]
    public async Task An_unreachable_STUN_server_does_not_cost_the_gathering_cap_when_TURN_answered()
    {
        await lab.NatAsync(1, "cone");
        await lab.NatAsync(2, "cone");
        // 203.0.113.30 is on the lab's public bridge but nothing answers there. A long cap makes the
        // difference plain: waiting for "gathering complete" would cost each side the whole cap.
        string[] ice = ["--ice", $"stun:{NetLab.Unanswered}:3478", "--ice", lab.TurnUdp, .. NetLab.TurnCredentials, "--gather-cap", "8000"];

        var (alice, bob) = await LabCall.RunAsync(lab, 1, ice, 2, ice);

        LabCall.AssertAudioBothWays(alice, bob);
        Assert.True(alice.SetupMs < 8000, $"setup took {alice.SetupMs} ms, at least one gathering cap: {alice}");
    }
}
