using Dialtone.Server;

namespace Dialtone.Phone.Tests.Calls;

/// <summary>Many calls at once between two user agents: each gets its own dialog and peer connection, all carry audio.</summary>
public sealed class ParallelCallsTests : IAsyncLifetime
{
    private const int Calls = 10;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private EmbeddedSipServer _server = null!;
    private Party _alice = null!;
    private Party _bob = null!;

    public async Task InitializeAsync()
    {
        _server = await EmbeddedSipServer.StartAsync();
        _alice = await Party.StartAsync(_server.WebSocketUri, _server.Domain, "alice", sayHz: 1000, listenHz: 1600);
        _bob = await Party.StartAsync(_server.WebSocketUri, _server.Domain, "bob", sayHz: 1600, listenHz: 1000);
    }

    public async Task DisposeAsync()
    {
        await _alice.DisposeAsync();
        await _bob.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Ten_calls_in_parallel_all_establish_carry_audio_both_ways_and_end_cleanly()
    {
        var answered = new List<Call>();
        _bob.Agent.IncomingCall += (_, e) =>
        {
            lock (answered)
                answered.Add(e.Call);
            _ = e.Call.AnswerAsync();
        };

        var calls = await Task.WhenAll(Enumerable.Range(0, Calls).Select(_ => _alice.Agent.CallAsync($"sip:bob@{_server.Domain}")));
        await Task.WhenAll(calls.Select(c => c.Established)).WaitAsync(Generous);
        Assert.Equal(Calls, calls.Select(c => c.CallId).Distinct().Count());
        Assert.Equal(Calls, _bob.Agent.Calls.Count);

        // Every call's own stream carries packets both ways.
        await Task.Delay(1500);
        foreach (var call in calls.Concat(answered))
        {
            var stats = await call.GetStatsAsync();
            Assert.True(stats.InboundRtp.Sum(s => s.PacketsReceived ?? 0) > 20, $"{call} received no audio");
            Assert.True(stats.OutboundRtp.Sum(s => s.PacketsSent ?? 0) > 20, $"{call} sent no audio");
        }
        Assert.True(await _bob.HearsToneAsync(TimeSpan.FromMilliseconds(300), Generous));
        Assert.True(await _alice.HearsToneAsync(TimeSpan.FromMilliseconds(300), Generous));

        await Task.WhenAll(calls.Select(c => c.HangupAsync()));
        var ends = await Task.WhenAll(answered.Select(c => c.Ended)).WaitAsync(Generous);
        Assert.All(ends, end => Assert.Equal(CallEndReason.RemoteHangup, end.Reason));
        Assert.Empty(_alice.Agent.Calls);
        Assert.Empty(_bob.Agent.Calls);
    }
}
