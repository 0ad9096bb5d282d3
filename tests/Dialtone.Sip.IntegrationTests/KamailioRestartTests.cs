using Dialtone.Sip.IntegrationTests.Infrastructure;
using Dialtone.Sip.Transport;
using Dialtone.Sip.UserAgent;

namespace Dialtone.Sip.IntegrationTests;

/// <summary>RFC 5626 flow recovery against a Kamailio that is killed and restarted (its own instance).</summary>
public sealed class KamailioRestartTests
{
    [Theory]
    [InlineData(SipTransportKind.Ws)]
    [InlineData(SipTransportKind.Tcp)]
    public async Task Agents_re_register_by_themselves_after_kamailio_restarts(SipTransportKind aliceTransport)
    {
        await using var server = await KamailioServer.StartNewAsync();
        RegistererOptions Fast(string user) => new()
        {
            AddressOfRecord = TestPhone.Aor(user),
            Transport = null!, // filled in by TestPhone
            FlowRecoveryBaseDelay = TimeSpan.FromMilliseconds(300),
            FlowRecoveryMaxDelay = TimeSpan.FromSeconds(2),
        };
        await using var alice = aliceTransport == SipTransportKind.Ws
            ? await TestPhone.OverWebSocketAsync(server, "alice", registerer: Fast("alice"))
            : TestPhone.OverStream(server, "alice", aliceTransport, Fast("alice"));
        await using var bob = await TestPhone.OverWebSocketAsync(server, "bob", registerer: Fast("bob"));
        await alice.Registerer.RegisterAsync().WaitAsync(TestPhone.Wait);
        await bob.Registerer.RegisterAsync().WaitAsync(TestPhone.Wait);

        server.Kill();
        var lost = await alice.WaitForStateAsync(RegistrationState.Recovering);
        Assert.NotNull(lost.Error);
        await bob.WaitForStateAsync(RegistrationState.Recovering);

        // Kamailio comes back with an empty location table; the agents must restore it themselves.
        await Task.Delay(500);
        await server.StartAsync();
        await alice.WaitForStateAsync(RegistrationState.Registered);
        await bob.WaitForStateAsync(RegistrationState.Registered);

        await bob.Agent.SendMessageAsync(TestPhone.Aor("alice"), "still there?").WaitAsync(TestPhone.Wait);
        Assert.Equal("still there?", (await alice.NextMessageAsync()).Text);
    }

    [Theory]
    [InlineData(SipTransportKind.Ws)]
    [InlineData(SipTransportKind.Tcp)]
    public async Task Keep_alive_detects_a_frozen_server_and_the_agent_recovers(SipTransportKind kind)
    {
        await using var server = await KamailioServer.StartNewAsync();
        var registerer = new RegistererOptions
        {
            AddressOfRecord = TestPhone.Aor("alice"),
            Transport = null!, // filled in by TestPhone
            FlowRecoveryBaseDelay = TimeSpan.FromMilliseconds(300),
            FlowRecoveryMaxDelay = TimeSpan.FromSeconds(1),
        };
        var webSocket = new SipWebSocketOptions
        {
            KeepAliveInterval = TimeSpan.FromSeconds(1),
            KeepAliveTimeout = TimeSpan.FromSeconds(1),
            ConnectTimeout = TimeSpan.FromSeconds(2),
        };
        // WebSocket ping/pong (RFC 6455) or CRLFCRLF/CRLF on TCP (RFC 5626 §4.4.1), every second.
        await using var alice = kind == SipTransportKind.Ws
            ? await TestPhone.OverWebSocketAsync(server, "alice", registerer: registerer, webSocket: webSocket)
            : TestPhone.OverStream(server, "alice", kind, registerer, keepAlive: TimeSpan.FromSeconds(1));
        await alice.Registerer.RegisterAsync().WaitAsync(TestPhone.Wait);

        // While the server answers, keep-alives keep the flow up.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal(RegistrationState.Registered, alice.Registerer.State);

        // The TCP connection stays up, but no pong comes back: only the keep-alive notices.
        await server.SignalAllAsync("STOP");
        try
        {
            var lost = await alice.WaitForStateAsync(RegistrationState.Recovering);
            Assert.NotNull(lost.Error);
        }
        finally
        {
            await server.SignalAllAsync("CONT");
        }
        await alice.WaitForStateAsync(RegistrationState.Registered);

        await using var bob = await TestPhone.OverWebSocketAsync(server, "bob");
        await bob.Registerer.RegisterAsync().WaitAsync(TestPhone.Wait);
        await bob.Agent.SendMessageAsync(TestPhone.Aor("alice"), "found you again").WaitAsync(TestPhone.Wait);
        Assert.Equal("found you again", (await alice.NextMessageAsync()).Text);
    }
}
