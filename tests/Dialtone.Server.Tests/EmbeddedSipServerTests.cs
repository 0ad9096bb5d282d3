using System.Net;
using System.Net.WebSockets;
using Dialtone.Sip.Message;

using Dialtone.Tests.Shared;

namespace Dialtone.Server.Tests;

public sealed class EmbeddedSipServerTests : IAsyncLifetime
{
    private EmbeddedSipServer _server = null!;

    private string Domain => _server.Domain;

    public async Task InitializeAsync() => _server = await EmbeddedSipServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Refuses_a_WebSocket_without_the_sip_subprotocol()
    {
        using var socket = new ClientWebSocket();
        var error = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(_server.WebSocketUri, CancellationToken.None));
        Assert.Contains("400", error.Message);
    }

    [Fact]
    public async Task Registers_a_contact_and_reports_its_expiry()
    {
        await using var alice = await RawSipClient.ConnectAsync(_server.WebSocketUri, "alice");
        await alice.SendAsync(Register(alice, expires: 300));
        var response = (SipResponse)await alice.ReceiveAsync();

        Assert.Equal(200, response.StatusCode);
        var contact = Assert.Single(response.Contacts);
        Assert.Equal(alice.Host, contact.SipUri!.Host);
        Assert.InRange(int.Parse(contact.Parameters.Get("expires")!), 299, 300);
        Assert.NotNull(response.To!.Tag);
        Assert.Equal(alice.Host, Assert.Single(_server.Registrations).ContactHost);
    }

    [Fact]
    public async Task Answers_423_with_Min_Expires_to_a_too_brief_registration()
    {
        await using var alice = await RawSipClient.ConnectAsync(_server.WebSocketUri, "alice");
        await alice.SendAsync(Register(alice, expires: 3));
        var response = (SipResponse)await alice.ReceiveAsync();

        Assert.Equal(423, response.StatusCode);
        Assert.Equal("10", response.Headers[SipHeaderNames.MinExpires]);
        Assert.Empty(_server.Registrations);
    }

    [Fact]
    public async Task Unregisters_with_expires_zero()
    {
        await using var alice = await RawSipClient.ConnectAsync(_server.WebSocketUri, "alice");
        await alice.RegisterAsync(Domain);
        await alice.SendAsync(Register(alice, expires: 0));
        var response = (SipResponse)await alice.ReceiveAsync();

        Assert.Equal(200, response.StatusCode);
        Assert.Empty(response.Contacts);
        Assert.Empty(_server.Registrations);
    }

    [Fact]
    public async Task Proxies_a_call_with_record_route_and_routes_the_dialog_through_itself()
    {
        await using var alice = await RawSipClient.ConnectAsync(_server.WebSocketUri, "alice");
        await using var bob = await RawSipClient.ConnectAsync(_server.WebSocketUri, "bob");
        await alice.RegisterAsync(Domain);
        await bob.RegisterAsync(Domain);

        await alice.SendAsync(Invite(alice, "bob", branch: "z9hG4bKinvite1"));
        var invite = (SipRequest)await bob.ReceiveAsync();

        Assert.Equal(SipMethods.Invite, invite.Method);
        Assert.Equal(bob.Host, ((SipUri)invite.RequestUri).Host);
        Assert.Equal(69, invite.MaxForwards);
        Assert.Equal(2, invite.Vias.Count);
        Assert.Equal("z9hG4bKinvite1", invite.Vias[1].Branch);
        var recordRoute = Assert.Single(invite.RecordRoutes).SipUri!;
        Assert.True(recordRoute.IsLooseRouter);
        Assert.Equal(_server.WebSocketUri.Port, recordRoute.Port);

        await bob.SendAsync(Reply(invite, 180, "Ringing", bob, toTag: "bobtag"));
        var ringing = (SipResponse)await alice.ReceiveAsync();
        Assert.Equal(180, ringing.StatusCode);
        Assert.Equal("z9hG4bKinvite1", Assert.Single(ringing.Vias).Branch);

        await bob.SendAsync(Reply(invite, 200, "OK", bob, toTag: "bobtag"));
        var ok = (SipResponse)await alice.ReceiveAsync();
        Assert.Equal(200, ok.StatusCode);
        Assert.Single(ok.RecordRoutes);

        // In-dialog BYE from alice: Request-URI is bob's contact, Route is the record-route.
        await alice.SendAsync($"""
            BYE sip:bob@{bob.Host};transport=ws SIP/2.0
            Via: SIP/2.0/WS {alice.Host};branch=z9hG4bKbye1
            Max-Forwards: 70
            Route: {ok.RecordRoutes[0]}
            From: <sip:alice@{Domain}>;tag=alicetag
            To: <sip:bob@{Domain}>;tag=bobtag
            Call-ID: call-1
            CSeq: 2 BYE
            Content-Length: 0


            """);
        var bye = (SipRequest)await bob.ReceiveAsync();
        Assert.Equal(SipMethods.Bye, bye.Method);
        Assert.Empty(bye.Routes);
        Assert.Empty(bye.RecordRoutes);
    }

    [Fact]
    public async Task Gives_a_CANCEL_the_same_branch_as_the_INVITE_it_cancels()
    {
        await using var alice = await RawSipClient.ConnectAsync(_server.WebSocketUri, "alice");
        await using var bob = await RawSipClient.ConnectAsync(_server.WebSocketUri, "bob");
        await alice.RegisterAsync(Domain);
        await bob.RegisterAsync(Domain);

        await alice.SendAsync(Invite(alice, "bob", branch: "z9hG4bKtocancel"));
        var invite = (SipRequest)await bob.ReceiveAsync();
        await alice.SendAsync(Invite(alice, "bob", branch: "z9hG4bKtocancel", method: "CANCEL"));
        var cancel = (SipRequest)await bob.ReceiveAsync();

        Assert.Equal(SipMethods.Cancel, cancel.Method);
        Assert.Equal(invite.TopVia!.Branch, cancel.TopVia!.Branch);
    }

    [Fact]
    public async Task Answers_480_for_a_user_who_is_not_registered()
    {
        await using var alice = await RawSipClient.ConnectAsync(_server.WebSocketUri, "alice");
        await alice.RegisterAsync(Domain);
        await alice.SendAsync(Invite(alice, "carol", branch: "z9hG4bKnobody"));
        var response = (SipResponse)await alice.ReceiveAsync();

        Assert.Equal(480, response.StatusCode);
        Assert.NotNull(response.To!.Tag);
    }

    [Fact]
    public async Task Forgets_a_registration_when_its_connection_closes()
    {
        await using var alice = await RawSipClient.ConnectAsync(_server.WebSocketUri, "alice");
        var bob = await RawSipClient.ConnectAsync(_server.WebSocketUri, "bob");
        await alice.RegisterAsync(Domain);
        await bob.RegisterAsync(Domain);
        await bob.DisposeAsync();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_server.Registrations.Count > 1 && DateTime.UtcNow < deadline)
            await Task.Delay(20);

        await alice.SendAsync(Invite(alice, "bob", branch: "z9hG4bKgone"));
        Assert.Equal(480, ((SipResponse)await alice.ReceiveAsync()).StatusCode);
    }

    [Fact]
    public async Task Answers_400_with_the_reason_to_a_malformed_request()
    {
        await using var alice = await RawSipClient.ConnectAsync(_server.WebSocketUri, "alice");
        await alice.SendAsync($"""
            OPTIONS sip:{Domain} SIP/2.0
            Via: SIP/2.0/WS {alice.Host};branch=z9hG4bKbad
            From: <sip:alice@{Domain}>;tag=1
            To: <sip:{Domain}>
            Call-ID: bad-1
            CSeq: one OPTIONS
            Content-Length: 0


            """);
        var response = (SipResponse)await alice.ReceiveAsync();

        Assert.Equal(400, response.StatusCode);
        Assert.Contains("CSeq", response.ReasonPhrase);
        Assert.Equal("z9hG4bKbad", response.TopVia!.Branch);
    }

    [Fact]
    public async Task Answers_OPTIONS_addressed_to_itself()
    {
        await using var alice = await RawSipClient.ConnectAsync(_server.WebSocketUri, "alice");
        await alice.SendAsync($"""
            OPTIONS sip:{Domain} SIP/2.0
            Via: SIP/2.0/WS {alice.Host};branch=z9hG4bKping
            Max-Forwards: 70
            From: <sip:alice@{Domain}>;tag=1
            To: <sip:{Domain}>
            Call-ID: ping-1
            CSeq: 1 OPTIONS
            Content-Length: 0


            """);
        var response = (SipResponse)await alice.ReceiveAsync();

        Assert.Equal(200, response.StatusCode);
        Assert.Contains("INVITE", response.Headers[SipHeaderNames.Allow]);
    }

    private string Register(RawSipClient client, int expires) => $"""
        REGISTER sip:{Domain} SIP/2.0
        Via: SIP/2.0/WS {client.Host};branch=z9hG4bK{Guid.NewGuid():N}
        Max-Forwards: 70
        From: <sip:{client.User}@{Domain}>;tag=reg
        To: <sip:{client.User}@{Domain}>
        Call-ID: reg-{client.Host}
        CSeq: {Random.Shared.Next(1, 100000)} REGISTER
        Contact: {client.Contact};expires={expires}
        Content-Length: 0


        """;

    private string Invite(RawSipClient from, string toUser, string branch, string method = "INVITE") => $"""
        {method} sip:{toUser}@{Domain} SIP/2.0
        Via: SIP/2.0/WS {from.Host};branch={branch}
        Max-Forwards: 70
        From: <sip:{from.User}@{Domain}>;tag=alicetag
        To: <sip:{toUser}@{Domain}>
        Call-ID: call-1
        CSeq: 1 {method}
        Contact: {from.Contact}
        Content-Length: 0


        """;

    private static string Reply(SipRequest request, int status, string reason, RawSipClient from, string toTag)
    {
        var response = SipResponse.CreateFor(request, status, reason);
        response.To = response.To!.WithTag(toTag);
        response.Headers.Add(SipHeaderNames.Contact, from.Contact);
        response.Headers.Add(SipHeaderNames.ContentLength, "0");
        return response.ToString();
    }
}
