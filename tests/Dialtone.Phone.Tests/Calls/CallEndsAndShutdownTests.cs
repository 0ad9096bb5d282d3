using System.Diagnostics;
using Dialtone.Phone.Media;
using Dialtone.Sip.Message;
using Dialtone.WebRtc;

namespace Dialtone.Phone.Tests.Calls;

/// <summary>
/// Calls that end by themselves when their media dies, and a user agent whose shutdown is bounded
/// even when the peer never answers — with real media through the embedded server.
/// </summary>
public sealed class CallEndsAndShutdownTests : EmbeddedServerCallTests, IAsyncLifetime
{
    private readonly List<UserAgent> _agents = [];

    private async Task<UserAgent> AgentAsync(string user, TimeSpan? mediaTimeout = null)
    {
        var agent = await UserAgent.StartAsync(new UserAgentOptions
        {
            Server = Server.WebSocketUri.ToString(),
            AddressOfRecord = SipUri.Parse($"sip:{user}@{Server.Domain}"),
            Audio = new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual },
            Media = new CallMediaOptions { MediaTimeout = mediaTimeout ?? TimeSpan.FromSeconds(30) },
        });
        _agents.Add(agent);
        await agent.RegisterAsync();
        return agent;
    }

    private static async Task<(Call Caller, Call Callee)> ConnectAsync(UserAgent from, UserAgent to, string toUri)
    {
        var incoming = to.IncomingCalls.ReadAsync().AsTask();
        var call = await from.CallAsync(toUri);
        var callee = await incoming.WaitAsync(Generous);
        await callee.AnswerAsync().WaitAsync(Generous);
        await call.Established.WaitAsync(Generous);
        await Task.WhenAll(call.MediaConnected, callee.MediaConnected).WaitAsync(Generous);
        return (call, callee);
    }

    [Fact]
    public async Task A_call_whose_peer_media_vanished_ends_with_bye_and_a_readable_reason_and_frees_the_line()
    {
        var alice = await AgentAsync("alice", mediaTimeout: TimeSpan.FromSeconds(3));
        var bob = await AgentAsync("bob");
        var (call, bobsCall) = await ConnectAsync(alice, bob, Uri("bob"));

        // Bob's media disappears without a word of SIP (a crashed peer, a dead network path).
        await bobsCall.PeerConnection.DisposeAsync();

        var end = await call.Ended.WaitAsync(Generous);
        Assert.Equal(CallEndReason.MediaFailed, end.Reason);
        Assert.False(string.IsNullOrEmpty(end.Detail));
        Assert.Empty(alice.Calls); // the line is free at once
        Assert.Equal(CallEndReason.RemoteHangup, (await bobsCall.Ended.WaitAsync(Generous)).Reason); // the BYE reached bob
    }

    [Fact]
    public async Task Shutdown_hangs_up_and_unregisters_within_about_two_seconds_when_the_peer_never_answers_the_bye()
    {
        var alice = await AgentAsync("alice");
        var bob = await AgentAsync("bob");
        var (call, bobsCall) = await ConnectAsync(alice, bob, Uri("bob"));
        // Bob goes deaf: his connection stays open, but nothing he receives is read any more.
        bob.Stack.RemoveTransport(bob.Connection.Transport);

        var clock = Stopwatch.StartNew();
        await alice.DisposeAsync();
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"shutdown took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(CallState.Ended, call.State);
        Assert.DoesNotContain(Server.Registrations, b => b.AddressOfRecord.Contains("alice", StringComparison.Ordinal));
        _ = bobsCall;
    }

    [Fact]
    public async Task An_async_incoming_call_handler_that_throws_is_logged_not_fatal()
    {
        var alice = await AgentAsync("alice");
        var bob = await AgentAsync("bob");
        var threw = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bob.IncomingCall += async (_, e) =>
        {
            await Task.Yield();
            threw.TrySetResult();
            throw new InvalidOperationException("a handler bug");
        };

        var call = await alice.CallAsync(Uri("bob"));
        await threw.Task.WaitAsync(Generous);
        await Task.Delay(200); // the exception has reached the event queue's context by now
        await call.HangupAsync();
        Assert.Equal(CallState.Ended, call.State); // and the process is still here
    }

    [Fact]
    public async Task An_ended_call_still_answers_with_its_last_statistics()
    {
        var alice = await AgentAsync("alice");
        var bob = await AgentAsync("bob");
        var (call, _) = await ConnectAsync(alice, bob, Uri("bob"));
        var live = 0L;
        for (var deadline = DateTime.UtcNow + Generous; live == 0 && DateTime.UtcNow < deadline; await Task.Delay(100))
            live = (await call.GetStatsAsync()).InboundRtp.Sum(s => s.PacketsReceived ?? 0);
        Assert.True(live > 0, "no RTP received while the call was up");

        await call.HangupAsync();
        await call.MediaReleased.WaitAsync(Generous);

        // The peer connection is gone; the report is the one taken as it was released.
        var last = await call.GetStatsAsync();
        Assert.True(last.InboundRtp.Sum(s => s.PacketsReceived ?? 0) >= live);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        foreach (var agent in _agents)
            await agent.DisposeAsync();
        await base.DisposeAsync();
    }
}
