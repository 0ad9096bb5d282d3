namespace Dialtone.Phone.Tests.Calls;

/// <summary>Many calls at once between two user agents: each gets its own dialog and peer connection, all carry audio.</summary>
public sealed class ParallelCallsTests : EmbeddedServerCallTests
{
    private const int Calls = 10;

    [Fact]
    public async Task Ten_calls_in_parallel_all_establish_carry_audio_both_ways_and_end_cleanly()
    {
        var alice = await PartyAsync("alice", sayHz: 1000, listenHz: 1600);
        var bob = await PartyAsync("bob", sayHz: 1600, listenHz: 1000);
        var answered = new List<Call>();
        bob.Agent.IncomingCall += (_, e) =>
        {
            lock (answered)
                answered.Add(e.Call);
            _ = e.Call.AnswerAsync();
        };

        var calls = await Task.WhenAll(Enumerable.Range(0, Calls).Select(_ => alice.Agent.CallAsync($"sip:bob@{Server.Domain}")));
        await Task.WhenAll(calls.Select(c => c.Established)).WaitAsync(Generous);
        Assert.Equal(Calls, calls.Select(c => c.CallId).Distinct().Count());
        Assert.Equal(Calls, bob.Agent.Calls.Count);

        // Every call's own stream carries packets both ways.
        // Each call's media needs its own ICE and DTLS after the 200: wait (bounded) for packets both
        // ways instead of sampling once after a fixed delay, which a loaded machine outlasts.
        foreach (var call in calls.Concat(answered))
        {
            var deadline = DateTime.UtcNow + Generous;
            var stats = await call.GetStatsAsync();
            while ((stats.InboundRtp.Sum(s => s.PacketsReceived ?? 0) <= 20 || stats.OutboundRtp.Sum(s => s.PacketsSent ?? 0) <= 20) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
                stats = await call.GetStatsAsync();
            }
            Assert.True(stats.InboundRtp.Sum(s => s.PacketsReceived ?? 0) > 20, $"{call} received no audio");
            Assert.True(stats.OutboundRtp.Sum(s => s.PacketsSent ?? 0) > 20, $"{call} sent no audio");
        }
        Assert.True(await bob.HearsToneAsync(TimeSpan.FromMilliseconds(300), Generous));
        Assert.True(await alice.HearsToneAsync(TimeSpan.FromMilliseconds(300), Generous));

        await Task.WhenAll(calls.Select(c => c.HangupAsync()));
        var ends = await Task.WhenAll(answered.Select(c => c.Ended)).WaitAsync(Generous);
        Assert.All(ends, end => Assert.Equal(CallEndReason.RemoteHangup, end.Reason));
        Assert.Empty(alice.Agent.Calls);
        Assert.Empty(bob.Agent.Calls);
    }
}
