using System.Diagnostics;
using Dialtone.Network.Tests.Lab;

namespace Dialtone.Network.Tests;

/// <summary>Dialtone notices a network change (new address behind another NAT) within about a second.</summary>
[Collection(NetLabCollection.Name)]
public sealed class NetworkChangeTests(NetLab lab)
{
    [Fact]
    public async Task A_move_to_another_uplink_is_reported_once_within_two_seconds_with_the_new_address()
    {
        await lab.NatAsync(1, "cone");
        using var agent = LabAgent.Start(1, ["--server", lab.SipTcp, "--user", "alice", "--password", "alice-secret", "--watch-network", "true", "--timeout", "60"]);
        var watching = await agent.WaitForAsync("watching", LabCall.Generous);
        Assert.Equal("198.51.100.18", (string?)watching["addresses"]);

        var clock = Stopwatch.StartNew();
        await NetLab.RunAsync("move", "1");
        var moves = 1;
        try
        {
            var moved = clock.Elapsed;
            var change = await agent.WaitForAsync("network-change", LabCall.Generous);
            var noticed = clock.Elapsed;

            Assert.Equal("198.51.100.26", (string?)change["after"]);
            Assert.Equal("198.51.100.18", (string?)change["before"]);
            Assert.True(noticed - moved < TimeSpan.FromSeconds(2), $"noticed {(noticed - moved).TotalMilliseconds:F0} ms after the move finished");

            // Moving back is a second change; the burst of address events of one move is reported once.
            await NetLab.RunAsync("move", "1");
            moves++;
            await agent.WaitForAllAsync("network-change", 2, LabCall.Generous);
            await Task.Delay(1000);
            Assert.Equal(2, agent.EventsNamed("network-change").Count);
            Assert.Equal("198.51.100.18", (string?)agent.EventsNamed("network-change")[1]["after"]);
        }
        finally
        {
            // The other tests expect home 1 on its first uplink.
            if (moves % 2 == 1)
                await NetLab.RunAsync("move", "1");
        }
    }
}
