using System.Diagnostics;
using Dialtone.Phone;
using Dialtone.Scale.Tests.Infrastructure;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;
using Dialtone.WebRtc;
using Xunit.Abstractions;

namespace Dialtone.Scale.Tests;

/// <summary>
/// Scale-out on Kamailio's dispatcher (docs/scale-out.md): two Dialtone node processes behind the
/// reference config; a caller (this process, digest-authenticated) places WebRTC calls through it.
/// </summary>
public sealed class DispatcherScaleOutTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private DispatcherKamailio _kamailio = null!;
    private DialtoneNode _a = null!;
    private DialtoneNode _b = null!;
    private UserAgent _caller = null!;

    public async Task InitializeAsync()
    {
        _kamailio = DispatcherKamailio.Create();
        var nodes = await Task.WhenAll(
            DialtoneNode.StartAsync("a", _kamailio.Server, Generous),
            DialtoneNode.StartAsync("b", _kamailio.Server, Generous));
        (_a, _b) = (nodes[0], nodes[1]);
        await _kamailio.StartAsync([("node-a", _a.Address), ("node-b", _b.Address)]);
        _caller = await UserAgent.StartAsync(new UserAgentOptions
        {
            Server = _kamailio.Server,
            AddressOfRecord = SipUri.Parse($"sip:alice@{DispatcherKamailio.Domain}"),
            Credentials = new SipCredentials("alice", DispatcherKamailio.CallerPassword),
            Audio = new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = AudioProcessingOptions.Disabled },
        });
    }

    public async Task DisposeAsync()
    {
        if (_caller is not null)
            await _caller.ShutdownAsync(TimeSpan.FromSeconds(2));
        _a?.Dispose();
        _b?.Dispose();
        if (_kamailio is not null)
        {
            output.WriteLine("kamailio log (tail):\n" + string.Join('\n', _kamailio.Log.Split('\n').TakeLast(30)));
            await _kamailio.DisposeAsync();
        }
    }

    [Fact]
    public async Task Calls_spread_by_load_and_move_off_a_killed_node_within_the_probing_interval_while_the_other_nodes_calls_continue()
    {
        var total = Stopwatch.StartNew();

        // Four calls, one after the other: call load sends each to the node with fewer calls.
        var first = new List<Call>();
        for (var i = 0; i < 4; i++)
            first.Add(await EstablishedCallAsync());
        var onA = first.Where(c => NodeOf(c) == _a).ToList();
        var onB = first.Where(c => NodeOf(c) == _b).ToList();
        Assert.Equal(2, onA.Count);
        Assert.Equal(2, onB.Count);
        foreach (var call in first)
            await WaitForPacketsAsync(call, 1);

        // Node a crashes. A call placed at once still lands on b (failover, or the probe was quicker).
        var beforeKill = await Task.WhenAll(onB.Select(PacketsReceivedAsync));
        var sinceKill = Stopwatch.StartNew();
        _a.Kill();
        var during = await EstablishedCallAsync();
        Assert.Same(_b, NodeOf(during));

        // The probe takes a out of rotation within one probing interval plus the probe's timeout.
        await WaitForLogAsync($"NODE DOWN sip:{_a.Address}");
        var detected = sinceKill.Elapsed;
        output.WriteLine($"node a marked down {detected.TotalMilliseconds:F0} ms after the kill");
        Assert.True(detected < 2 * (DispatcherKamailio.PingInterval + DispatcherKamailio.NodeTimeout) + TimeSpan.FromSeconds(3),
            $"node a marked down only after {detected}");

        // New calls go straight to b, without a failover attempt on a.
        var after = new[] { await EstablishedCallAsync(), await EstablishedCallAsync() };
        Assert.All(after, c => Assert.Same(_b, NodeOf(c)));
        foreach (var call in after)
        {
            Assert.DoesNotContain($"FAILOVER {call.CallId}", _kamailio.Log);
            await WaitForPacketsAsync(call, 1);
        }

        // b's calls from before the kill are still up, their audio still flowing (50 packets/s each).
        for (var i = 0; i < onB.Count; i++)
        {
            Assert.Equal(CallState.Established, onB[i].State);
            await WaitForPacketsAsync(onB[i], beforeKill[i] + 50);
        }
        foreach (var call in onB.Append(during).Concat(after))
            await call.HangupAsync().WaitAsync(Generous);
        Assert.Equal(onB.Count + 3, _b.CallIds.Count);
        output.WriteLine($"test body {total.ElapsedMilliseconds} ms");
    }

    private async Task<Call> EstablishedCallAsync()
    {
        var call = await _caller.CallAsync($"sip:bot@{DispatcherKamailio.Domain}");
        await call.Established.WaitAsync(Generous);
        return call;
    }

    /// <summary>The node that answered: its own log names each call it took.</summary>
    private DialtoneNode? NodeOf(Call call) =>
        _a.CallIds.Contains(call.CallId) ? _a : _b.CallIds.Contains(call.CallId) ? _b : null;

    private static async Task<long> PacketsReceivedAsync(Call call) =>
        (await call.GetStatsAsync()).InboundRtp.Sum(s => s.PacketsReceived ?? 0);

    private static async Task WaitForPacketsAsync(Call call, long atLeast)
    {
        var deadline = DateTime.UtcNow + Generous;
        long received;
        while ((received = await PacketsReceivedAsync(call)) < atLeast)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{call}: {received} audio packets, expected at least {atLeast}");
            await Task.Delay(100);
        }
    }

    private async Task WaitForLogAsync(string line)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (!_kamailio.Log.Contains(line, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"kamailio never logged '{line}'");
            await Task.Delay(20);
        }
    }
}
