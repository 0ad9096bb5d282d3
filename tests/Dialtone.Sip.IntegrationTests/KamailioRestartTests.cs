using System.Diagnostics;
using Dialtone.Sip.IntegrationTests.Infrastructure;
using Dialtone.Sip.Transport;
using Dialtone.Sip.UserAgent;
using Xunit.Abstractions;

namespace Dialtone.Sip.IntegrationTests;

/// <summary>
/// RFC 5626 flow recovery against a Kamailio that is killed and restarted, or frozen (SIGSTOP) and
/// resumed (its own instance). The registerers run with their default probe interval (2 s):
/// registration must be back within 5 s of the server's return, however long it was away. The
/// outages here last 6–8 s instead of a minute: the mechanism is the same (every probe during the
/// outage fails or hangs), only fewer of them.
/// </summary>
public sealed class KamailioRestartTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RestoreBound = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(SipTransportKind.Ws)]
    [InlineData(SipTransportKind.Tcp)]
    public async Task Agents_re_register_by_themselves_within_5_s_after_kamailio_restarts(SipTransportKind aliceTransport)
    {
        await using var server = await KamailioServer.StartNewAsync();
        static RegistererOptions Defaults(string user) => new()
        {
            AddressOfRecord = TestPhone.Aor(user),
            Transport = null!, // filled in by TestPhone
        };
        await using var alice = aliceTransport == SipTransportKind.Ws
            ? await TestPhone.OverWebSocketAsync(server, "alice", registerer: Defaults("alice"))
            : TestPhone.OverStream(server, "alice", aliceTransport, Defaults("alice"));
        await using var bob = await TestPhone.OverWebSocketAsync(server, "bob", registerer: Defaults("bob"));
        await alice.Registerer.RegisterAsync().WaitAsync(TestPhone.Wait);
        await bob.Registerer.RegisterAsync().WaitAsync(TestPhone.Wait);

        server.Kill();
        var lost = await alice.WaitForStateAsync(RegistrationState.Recovering);
        Assert.NotNull(lost.Error);
        await bob.WaitForStateAsync(RegistrationState.Recovering);

        // Away long enough for several refused probes (a backoff would have grown meanwhile).
        await Task.Delay(TimeSpan.FromSeconds(6));
        // Kamailio comes back with an empty location table; the agents must restore it themselves.
        await server.StartAsync();
        var back = Stopwatch.StartNew();
        var aliceBack = Measure(alice, back);
        var bobBack = Measure(bob, back);
        var times = await Task.WhenAll(aliceBack, bobBack);
        output.WriteLine($"re-registered after restart ({aliceTransport} alice, WS bob): {times[0].TotalSeconds:F2} s, {times[1].TotalSeconds:F2} s");
        Assert.All(times, t => Assert.True(t < RestoreBound, $"re-registration took {t.TotalSeconds:F2} s after the server was back"));

        await bob.Agent.SendMessageAsync(TestPhone.Aor("alice"), "still there?").WaitAsync(TestPhone.Wait);
        Assert.Equal("still there?", (await alice.NextMessageAsync()).Text);
    }

    [Theory]
    [InlineData(SipTransportKind.Ws)]
    [InlineData(SipTransportKind.Tcp)]
    public async Task Keep_alive_detects_a_frozen_server_within_its_interval_and_the_agent_is_back_within_5_s(SipTransportKind kind)
    {
        await using var server = await KamailioServer.StartNewAsync();
        var registerer = new RegistererOptions
        {
            AddressOfRecord = TestPhone.Aor("alice"),
            Transport = null!, // filled in by TestPhone
        };
        // 4 s: pongs are awaited 2 s, room enough for a loaded machine to answer while the server is up.
        var keepAlive = TimeSpan.FromSeconds(4);
        var webSocket = new SipWebSocketOptions
        {
            KeepAliveInterval = keepAlive,
            KeepAliveTimeout = TimeSpan.FromSeconds(2),
            ConnectTimeout = TimeSpan.FromSeconds(10), // a loaded machine may take seconds to set up the first connection
        };
        // WebSocket ping/pong (RFC 6455) or CRLFCRLF/CRLF on TCP (RFC 5626 §4.4.1).
        await using var alice = kind == SipTransportKind.Ws
            ? await TestPhone.OverWebSocketAsync(server, "alice", registerer: registerer, webSocket: webSocket)
            : TestPhone.OverStream(server, "alice", kind, registerer, keepAlive: keepAlive);
        await alice.Registerer.RegisterAsync().WaitAsync(TestPhone.Wait);

        // While the server answers, keep-alives keep the flow up.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal(RegistrationState.Registered, alice.Registerer.State);

        // The TCP connection stays up, but no pong comes back: only the keep-alive notices.
        await server.SignalAllAsync("STOP");
        var frozen = Stopwatch.StartNew();
        TimeSpan detected;
        try
        {
            var lost = await alice.WaitForStateAsync(RegistrationState.Recovering);
            detected = frozen.Elapsed;
            Assert.NotNull(lost.Error);
            // Frozen a while longer: probes connect (the kernel still accepts) but get no answer.
            await Task.Delay(TimeSpan.FromSeconds(6));
        }
        finally
        {
            await server.SignalAllAsync("CONT");
        }
        var back = Stopwatch.StartNew();
        var restored = await Measure(alice, back);
        output.WriteLine($"{kind}: frozen flow detected after {detected.TotalSeconds:F2} s (keep-alive interval {keepAlive.TotalSeconds} s); re-registered {restored.TotalSeconds:F2} s after SIGCONT");
        // The bound is the interval; a loaded machine may add scheduling delay on top.
        Assert.True(detected < keepAlive + TimeSpan.FromSeconds(2), $"detection took {detected.TotalSeconds:F2} s");
        Assert.True(restored < RestoreBound, $"re-registration took {restored.TotalSeconds:F2} s after SIGCONT");

        await using var bob = await TestPhone.OverWebSocketAsync(server, "bob");
        await bob.Registerer.RegisterAsync().WaitAsync(TestPhone.Wait);
        // Reachable at once: the probes made during the freeze sent no REGISTER the resumed server
        // could read late and bind alice to a connection she has closed since (a TCP connection is
        // used only after Kamailio answered a keep-alive on it; a WebSocket one after its upgrade).
        var reachable = Stopwatch.StartNew();
        await bob.Agent.SendMessageAsync(TestPhone.Aor("alice"), "found you again").WaitAsync(TestPhone.Wait);
        output.WriteLine($"{kind}: alice reachable {reachable.Elapsed.TotalSeconds:F2} s after bob registered");
        Assert.Equal("found you again", (await alice.NextMessageAsync()).Text);
    }

    /// <summary>The time from <paramref name="since"/>'s start until the phone is registered again.</summary>
    private static async Task<TimeSpan> Measure(TestPhone phone, Stopwatch since)
    {
        if (phone.Registerer.State != RegistrationState.Registered)
            await phone.WaitForStateAsync(RegistrationState.Registered);
        return since.Elapsed;
    }
}
