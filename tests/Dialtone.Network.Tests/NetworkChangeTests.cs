using System.Diagnostics;
using System.Text.Json.Nodes;
using Dialtone.Network.Tests.Lab;

namespace Dialtone.Network.Tests;

/// <summary>
/// Dialtone notices a network change (new address behind another NAT) within about a second; a call
/// in progress follows it (flow moved, re-REGISTER, ICE-restart re-INVITE); a call still ringing ends
/// with a clear reason on both sides instead of hanging.
/// </summary>
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

    /// <summary>SIP over UDP is the hard case: its socket was bound to the address that went away.</summary>
    private const string SipUdp = "sip:203.0.113.10:5060;transport=udp";

    [Fact]
    public async Task A_call_follows_the_callers_move_to_a_new_address_and_NAT_with_a_media_gap_under_five_seconds()
    {
        var (aliceResult, _) = await CallAcrossTheCallersMoveAsync("cone", ["--ice", lab.Stun]);
        var alicePair = new LabCall.Side(aliceResult);
        Assert.Contains((string?)alicePair.Local["address"], new[] { "192.0.2.101", "198.51.100.26" });
    }

    /// <summary>
    /// A plain RTP call (a carrier or a PBX: no ICE to find the new path, and no NAT here — the homes are
    /// routed, their addresses public) follows the move as well: the re-INVITE's SDP names the new address,
    /// so the peer's audio goes there. Before, c= kept the address the call began on, and the caller heard
    /// nothing after the move.
    /// </summary>
    [Fact]
    public async Task A_plain_RTP_call_follows_the_callers_move_by_naming_the_new_address_in_its_re_INVITE()
    {
        var (aliceResult, _) = await CallAcrossTheCallersMoveAsync("routed", ["--media", "plain"]);
        Assert.False((bool)aliceResult["encrypted"]!);
    }

    /// <summary>
    /// Alice (home 1, SIP over UDP) calls bob (home 2, SIP over TCP), both homes behind <paramref name="homes"/>;
    /// 3 s into the call alice's host moves to its other uplink. Asserts what every call that follows a
    /// move must show — the flow moved to 198.51.100.26, registered again after it, the call kept until
    /// alice's BYE, media gaps under 5 s both ways — and returns both results for the caller's own checks.
    /// Home 1 is moved back at the end.
    /// </summary>
    private async Task<(JsonObject Alice, JsonObject Bob)> CallAcrossTheCallersMoveAsync(string homes, string[] media)
    {
        await lab.NatAsync(1, homes);
        await lab.NatAsync(2, homes);
        string[] common = ["--domain", "dialtone.test", .. media, "--talk", "12", "--timeout", "90"];
        using var bob = LabAgent.Start(2, [.. common, "--server", lab.SipTcp, "--user", "bob", "--password", "bob-secret", "--say", "880", "--listen", "440"]);
        await bob.WaitForAsync("registered", LabCall.Generous);
        using var alice = LabAgent.Start(1, [.. common, "--server", SipUdp, "--user", "alice", "--password", "alice-secret",
            "--say", "440", "--listen", "880", "--target", "sip:bob@dialtone.test"]);
        await alice.WaitForAsync("established", LabCall.Generous);
        await Task.Delay(3000);

        await NetLab.RunAsync("move", "1");
        try
        {
            var moved = await alice.WaitForAsync("network-change", LabCall.Generous);
            Assert.Equal("198.51.100.26", (string?)moved["after"]);
            var aliceResult = await alice.WaitForAsync("result", LabCall.Generous);
            var bobResult = await bob.WaitForAsync("result", LabCall.Generous);

            // Registered again (same instance id: the registerer is the same) after the move.
            Assert.Contains(alice.EventsNamed("registration"), e => (string?)e["state"] == "Registered" && (long)e["atMs"]! >= (long)moved["atMs"]!);
            // The call was kept, and media came back on the new path within the target.
            Assert.Equal("LocalHangup", (string?)aliceResult["end"]);
            Assert.Equal("RemoteHangup", (string?)bobResult["end"]);
            Assert.True((long)bobResult["longestGapMs"]! < 5000, $"bob's longest gap: {bobResult.ToJsonString()}");
            Assert.True((long)aliceResult["longestGapMs"]! < 5000, $"alice's longest gap: {aliceResult.ToJsonString()}");
            return (aliceResult, bobResult);
        }
        finally
        {
            await NetLab.RunAsync("move", "1");
        }
    }

    [Fact]
    public async Task A_call_ringing_when_the_caller_moves_is_cancelled_with_the_reason_and_stops_ringing_at_the_callee()
    {
        await lab.NatAsync(1, "cone");
        await lab.NatAsync(2, "cone");
        string[] common = ["--domain", "dialtone.test", "--ice", lab.Stun, "--timeout", "90"];
        using var bob = LabAgent.Start(2, [.. common, "--server", lab.SipTcp, "--user", "bob", "--password", "bob-secret", "--answer-delay", "60000"]);
        await bob.WaitForAsync("registered", LabCall.Generous);
        using var alice = LabAgent.Start(1, [.. common, "--server", SipUdp, "--user", "alice", "--password", "alice-secret", "--target", "sip:bob@dialtone.test"]);
        await bob.WaitForAsync("ringing", LabCall.Generous);

        var clock = Stopwatch.StartNew();
        await NetLab.RunAsync("move", "1");
        try
        {
            var aliceResult = await alice.WaitForAsync("result", TimeSpan.FromSeconds(20));
            Assert.Contains("network changed before the call was answered", (string?)aliceResult["end"]);
            // The CANCEL went out over the moved flow: bob stops ringing long before his answer delay.
            var bobResult = await bob.WaitForAsync("result", TimeSpan.FromSeconds(20));
            Assert.Equal("ended while ringing", (string?)bobResult["failed"]);
            Assert.StartsWith("RemoteHangup", (string?)bobResult["end"]);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20));
        }
        finally
        {
            await NetLab.RunAsync("move", "1");
        }
    }

    [Fact]
    public async Task A_call_ringing_at_a_callee_that_moves_is_refused_480_and_the_caller_learns_it()
    {
        await lab.NatAsync(1, "cone");
        await lab.NatAsync(2, "cone");
        string[] common = ["--domain", "dialtone.test", "--ice", lab.Stun, "--timeout", "90"];
        using var bob = LabAgent.Start(2, [.. common, "--server", lab.SipTcp, "--user", "bob", "--password", "bob-secret", "--answer-delay", "60000"]);
        await bob.WaitForAsync("registered", LabCall.Generous);
        using var alice = LabAgent.Start(1, [.. common, "--server", lab.SipTcp, "--user", "alice", "--password", "alice-secret", "--target", "sip:bob@dialtone.test"]);
        await bob.WaitForAsync("ringing", LabCall.Generous);

        await NetLab.RunAsync("move", "2");
        try
        {
            var bobResult = await bob.WaitForAsync("result", TimeSpan.FromSeconds(20));
            Assert.Equal("ended while ringing", (string?)bobResult["failed"]);
            Assert.Contains("480", (string?)bobResult["end"]);
            // The 480 reached alice over bob's new connection to the proxy (if not, bob's log tells where it went).
            JsonObject aliceResult;
            try
            {
                aliceResult = await alice.WaitForAsync("result", TimeSpan.FromSeconds(20));
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException)
            {
                throw new InvalidOperationException(e.Message + "\n" + bob.Story(), e);
            }
            Assert.Contains("480", (string?)aliceResult["end"]);
        }
        finally
        {
            await NetLab.RunAsync("move", "2");
        }
    }
}
