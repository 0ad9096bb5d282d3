using System.Diagnostics;
using System.Net;
using Dialtone.Phone.Tests.Calls;
using Dialtone.Server;
using Dialtone.Sip.Message;
using Dialtone.WebRtc;

namespace Dialtone.Phone.Tests.Flows;

/// <summary>
/// <see cref="UserAgentOptions.KeepAliveInterval"/>: a server that froze (its connection open,
/// nothing answered) is found dead within the configured interval, not the default 30 s.
/// </summary>
public sealed class KeepAliveIntervalTests : IAsyncLifetime
{
    private EmbeddedSipServer _server = null!;
    private FreezableTcpRelay _relay = null!;
    private readonly List<UserAgent> _agents = [];

    public async Task InitializeAsync()
    {
        _server = await EmbeddedSipServer.StartAsync();
        _relay = new FreezableTcpRelay(new IPEndPoint(IPAddress.Loopback, _server.WebSocketUri.Port));
    }

    public async Task DisposeAsync()
    {
        _relay.Thaw();
        foreach (var agent in _agents)
            await agent.DisposeAsync();
        await _relay.DisposeAsync();
        await _server.DisposeAsync();
    }

    private async Task<UserAgent> AgentAsync(string user, TimeSpan? keepAlive)
    {
        var options = new UserAgentOptions
        {
            Server = new UriBuilder(_server.WebSocketUri) { Port = _relay.Port }.Uri.ToString(),
            AddressOfRecord = SipUri.Parse($"sip:{user}@{_server.Domain}"),
            Audio = new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual },
        };
        var agent = await UserAgent.StartAsync(keepAlive is { } interval ? options with { KeepAliveInterval = interval } : options);
        _agents.Add(agent);
        return agent;
    }

    /// <summary>
    /// Completes when the agent's transport gives its flow up. (Not registered: the embedded
    /// server, seeing the relay's port in our Route, would not take the REGISTER as its own. The
    /// registerer's reaction to a closed flow — Recovering, then registered again — is the same
    /// event, covered with Kamailio frozen by CallRecoveryThroughKamailioTests.)
    /// </summary>
    private static Task Lost(UserAgent agent)
    {
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.Connection.Transport.ConnectionClosed += (_, _) => lost.TrySetResult();
        return lost.Task;
    }

    [Fact]
    public async Task A_frozen_server_is_found_dead_within_the_configured_keep_alive_interval()
    {
        var interval = TimeSpan.FromSeconds(2);
        var alice = await AgentAsync("alice", interval);
        var bob = await AgentAsync("bob", keepAlive: null); // the default 30 s
        var aliceLost = Lost(alice);
        var bobLost = Lost(bob);
        await Task.Delay(interval * 1.5); // pings go out and are answered while the server is alive
        Assert.False(aliceLost.IsCompleted, "a live flow was given up");

        _relay.Freeze();
        var frozen = Stopwatch.StartNew();
        await aliceLost.WaitAsync(Eventually.Generous);
        var detected = frozen.Elapsed;

        // Within the interval (plus a loaded machine's slack), and not by anything the default has too.
        Assert.True(detected <= interval + TimeSpan.FromSeconds(2), $"found dead {detected.TotalSeconds:0.0} s into the freeze");
        Assert.False(bobLost.IsCompleted, "the agent with the default 30 s keep-alive gave up as early");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(3601)]
    public async Task A_keep_alive_interval_outside_one_second_to_one_hour_is_refused(double seconds)
    {
        var options = new UserAgentOptions
        {
            Server = _server.WebSocketUri.ToString(),
            AddressOfRecord = SipUri.Parse($"sip:alice@{_server.Domain}"),
            KeepAliveInterval = TimeSpan.FromSeconds(seconds),
        };
        var refused = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => UserAgent.StartAsync(options));
        Assert.Equal(nameof(UserAgentOptions.KeepAliveInterval), refused.ParamName);
    }
}
