using Dialtone.Network.Tests.Lab;
using Xunit.Abstractions;

namespace Dialtone.Network.Tests;

/// <summary>
/// Delay and jitter (lab.sh delay: the kernel has no netem, so delay.py holds each forwarded packet
/// in an NFQUEUE): a call across cone NATs whose caller's home adds 100 ms ± 30 ms each way still
/// carries audio both ways, and the round trip the stats report shows the delay was really there.
/// </summary>
[Collection(NetLabCollection.Name)]
public sealed class DelayedCallTests(NetLab lab, ITestOutputHelper output)
{
    [Fact]
    public async Task A_call_with_100_ms_plus_minus_30_ms_of_delay_each_way_carries_audio_both_ways_at_that_round_trip()
    {
        await lab.NatAsync(1, "cone");
        await lab.NatAsync(2, "cone");
        string[] ice = ["--ice", lab.Stun];

        // Control: the same call without the delay has a round trip of a few milliseconds.
        var (fastAlice, fastBob) = await LabCall.RunAsync(lab, 1, ice, 2, ice, talkSeconds: 4);
        output.WriteLine($"no delay: alice {fastAlice}\n          bob {fastBob}");
        LabCall.AssertAudioBothWays(fastAlice, fastBob);
        Assert.True(fastAlice.RttMs is < 60, $"round trip without delay: {fastAlice.RttMs}");

        await lab.DelayAsync(1, 100, 30);
        try
        {
            var (alice, bob) = await LabCall.RunAsync(lab, 1, ice, 2, ice, talkSeconds: 4);
            output.WriteLine($"100 ± 30 ms: alice {alice}\n             bob {bob}");

            LabCall.AssertAudioBothWays(alice, bob);
            Assert.Equal("srflx", alice.LocalType);
            // Each STUN check crosses the delaying router twice: 2 × (100 ± 30) ms.
            Assert.True(alice.RttMs is >= 140 and <= 600, $"alice's round trip: {alice.RttMs} ms");
            Assert.True(bob.RttMs is >= 140 and <= 600, $"bob's round trip: {bob.RttMs} ms");
        }
        finally
        {
            await lab.DelayAsync(1, 0);
        }
    }
}
