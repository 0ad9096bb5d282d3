using Dialtone.Sip.Auth;
using Dialtone.Sip.IntegrationTests.Infrastructure;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;
using Dialtone.Sip.UserAgent;

namespace Dialtone.Sip.IntegrationTests;

/// <summary>A shared Kamailio for the tests that do not disturb it.</summary>
public sealed class KamailioFixture : IAsyncLifetime
{
    public KamailioServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await KamailioServer.StartNewAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition("kamailio")]
public sealed class KamailioCollection : ICollectionFixture<KamailioFixture>;

[Collection("kamailio")]
public sealed class KamailioWebSocketTests(KamailioFixture fixture)
{
    private KamailioServer Server => fixture.Server;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Two_agents_register_exchange_messages_and_unregister(bool secure)
    {
        await using var alice = await TestPhone.OverWebSocketAsync(Server, "alice", secure);
        await using var bob = await TestPhone.OverWebSocketAsync(Server, "bob", secure);
        Assert.Equal(secure ? SipTransportKind.Wss : SipTransportKind.Ws, alice.Transport.Kind);
        Assert.EndsWith(".invalid", alice.Transport.LocalHostPort.Host);

        await alice.Registerer.RegisterAsync().WaitAsync(TestPhone.Wait);
        await bob.Registerer.RegisterAsync().WaitAsync(TestPhone.Wait);
        Assert.Equal(RegistrationState.Registered, alice.Registerer.State);
        Assert.NotNull(alice.Registerer.GrantedExpires);

        var text = $"hello bob over {(secure ? "wss" : "ws")} ✓";
        await alice.Agent.SendMessageAsync(TestPhone.Aor("bob"), text).WaitAsync(TestPhone.Wait);
        var received = await bob.NextMessageAsync();
        Assert.Equal(text, received.Text);
        Assert.Equal("alice", (received.From.Uri as SipUri)?.User);
        Assert.Equal("text/plain", received.ContentType);

        await bob.Agent.SendMessageAsync(TestPhone.Aor("alice"), "hi alice").WaitAsync(TestPhone.Wait);
        Assert.Equal("hi alice", (await alice.NextMessageAsync()).Text);

        await bob.Registerer.UnregisterAsync().WaitAsync(TestPhone.Wait);
        Assert.Equal(RegistrationState.Unregistered, bob.Registerer.State);
        var ex = await Assert.ThrowsAsync<SipRequestFailedException>(() =>
            alice.Agent.SendMessageAsync(TestPhone.Aor("bob"), "are you there?").WaitAsync(TestPhone.Wait));
        Assert.Equal(404, ex.StatusCode);
        Assert.False(bob.HasMessage);
    }

    [Fact]
    public async Task Wrong_password_fails_with_an_authentication_error()
    {
        await using var alice = await TestPhone.OverWebSocketAsync(Server, "alice", password: "not-the-password");
        var ex = await Assert.ThrowsAsync<SipAuthenticationException>(() => alice.Registerer.RegisterAsync().WaitAsync(TestPhone.Wait));
        Assert.Equal(401, ex.StatusCode);
        Assert.Equal(KamailioServer.Domain, ex.Realm);
        Assert.Equal(RegistrationState.Failed, alice.Registerer.State);
        Assert.DoesNotContain("not-the-password", ex.Message);
    }

    [Fact]
    public async Task Too_brief_expiry_is_retried_with_the_registrars_minimum()
    {
        var options = new RegistererOptions
        {
            AddressOfRecord = TestPhone.Aor("alice"),
            Transport = null!, // filled in by TestPhone
            Expires = TimeSpan.FromSeconds(KamailioServer.MinExpires / 3),
        };
        await using var alice = await TestPhone.OverWebSocketAsync(Server, "alice", registerer: options);
        await alice.Registerer.RegisterAsync().WaitAsync(TestPhone.Wait);
        Assert.Equal(TimeSpan.FromSeconds(KamailioServer.MinExpires), alice.Registerer.GrantedExpires);
    }

    [Fact]
    public async Task Options_to_a_registered_agent_is_answered_with_its_capabilities()
    {
        await using var alice = await TestPhone.OverWebSocketAsync(Server, "alice");
        await using var bob = await TestPhone.OverWebSocketAsync(Server, "bob");
        await alice.Registerer.RegisterAsync().WaitAsync(TestPhone.Wait);
        await bob.Registerer.RegisterAsync().WaitAsync(TestPhone.Wait);

        var proxy = SipUri.Parse($"sip:127.0.0.1:{Server.WsPort};transport=ws;lr");
        var response = await bob.SendOptionsAsync(TestPhone.Aor("alice"), proxy);
        Assert.Equal(200, response.StatusCode);
        Assert.Contains("MESSAGE", response.Headers[SipHeaderNames.Allow]);
        Assert.Contains("text/plain", response.Headers[SipHeaderNames.Accept]);
    }

    [Fact]
    public async Task Wss_without_trusting_the_test_ca_is_refused()
    {
        var ex = await Assert.ThrowsAsync<SipTransportException>(() => SipWebSocketTransport.ConnectAsync(Server.WssUri));
        Assert.Contains("SSL", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(SipTransportKind.Udp)]
    [InlineData(SipTransportKind.Tcp)]
    [InlineData(SipTransportKind.Tls)]
    public async Task Classic_transports_register_and_deliver_messages(SipTransportKind kind)
    {
        await using var alice = TestPhone.OverStream(Server, "alice", kind);
        await using var bob = await TestPhone.OverWebSocketAsync(Server, "bob");
        await alice.Registerer.RegisterAsync().WaitAsync(TestPhone.Wait);
        await bob.Registerer.RegisterAsync().WaitAsync(TestPhone.Wait);

        await bob.Agent.SendMessageAsync(TestPhone.Aor("alice"), $"to alice over {kind}").WaitAsync(TestPhone.Wait);
        Assert.Equal($"to alice over {kind}", (await alice.NextMessageAsync()).Text);
        await alice.Agent.SendMessageAsync(TestPhone.Aor("bob"), "back over ws").WaitAsync(TestPhone.Wait);
        Assert.Equal("back over ws", (await bob.NextMessageAsync()).Text);
    }
}
