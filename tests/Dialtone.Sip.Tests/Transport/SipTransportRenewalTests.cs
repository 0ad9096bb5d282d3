using System.Net;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Tests.Transport;

/// <summary>
/// After a network change a transport moves its flow to the new address (Dialtone.Phone's
/// network-change following): UDP rebinds, TCP/TLS drops its own connections, a WebSocket
/// reconnects — none of which is reported as a failed flow, and the same transport object keeps
/// working. Loopback addresses 127.0.0.x stand for the old and the new address.
/// </summary>
public class SipTransportRenewalTests
{
    [Fact]
    public async Task UDP_rebinds_to_a_new_address_keeps_its_port_and_its_known_peers_and_receives_there()
    {
        await using var proxy = new SipUdpTransport(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0), options: new SipUdpTransportOptions { AcceptRequestsFromAnyone = true });
        await using var phone = new SipUdpTransport(new IPEndPoint(IPAddress.Parse("127.0.0.1"), 0));
        var atProxy = new FrameCollector(proxy);
        var atPhone = new FrameCollector(phone);
        var toProxy = new SipEndPoint(SipTransportKind.Udp, proxy.LocalEndPoint);
        await phone.SendAsync(toProxy, TestMessages.Bytes(TestMessages.Options("z9hG4bKbefore")));
        await atProxy.NextAsync();
        var port = phone.LocalEndPoint.Port;

        phone.Rebind(IPAddress.Parse("127.0.0.3"));

        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.3"), port), phone.LocalEndPoint);
        Assert.Equal(new SipHostPort("127.0.0.3", port), phone.LocalHostPort);
        await phone.SendAsync(toProxy, TestMessages.Bytes(TestMessages.Options("z9hG4bKafter")));
        var (source, text) = await atProxy.NextAsync();
        Assert.Contains("z9hG4bKafter", text);
        Assert.Equal(phone.LocalEndPoint, source.Address);
        // The proxy is still a known peer: its requests reach the new socket.
        await proxy.SendAsync(new SipEndPoint(SipTransportKind.Udp, phone.LocalEndPoint), TestMessages.Bytes(TestMessages.Options("z9hG4bKback")));
        Assert.Contains("z9hG4bKback", (await atPhone.NextAsync()).Text);
        // Nothing listens on the old address any more.
        await proxy.SendAsync(new SipEndPoint(SipTransportKind.Udp, new IPEndPoint(IPAddress.Parse("127.0.0.1"), port)), TestMessages.Bytes(TestMessages.Options("z9hG4bKold")));
        await Task.Delay(300);
        Assert.False(atPhone.HasFrame);
    }

    [Fact]
    public async Task UDP_rebinding_to_the_same_address_takes_a_new_port_when_the_old_one_is_still_held()
    {
        await using var phone = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0));
        phone.Rebind(IPAddress.Loopback);
        Assert.Equal(IPAddress.Loopback, phone.LocalEndPoint.Address);
        await using var peer = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0), options: new SipUdpTransportOptions { AcceptRequestsFromAnyone = true });
        var atPeer = new FrameCollector(peer);
        await phone.SendAsync(new SipEndPoint(SipTransportKind.Udp, peer.LocalEndPoint), TestMessages.Bytes(TestMessages.Options()));
        Assert.Equal(phone.LocalEndPoint, (await atPeer.NextAsync()).Source.Address);
    }

    [Fact]
    public async Task TCP_drops_its_own_connections_quietly_and_the_next_send_opens_a_new_one()
    {
        await using var server = new SipStreamTransport(SipTransportKind.Tcp);
        server.Listen(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = new SipStreamTransport(SipTransportKind.Tcp);
        var atServer = new FrameCollector(server);
        var atClient = new FrameCollector(client);
        var target = new SipEndPoint(SipTransportKind.Tcp, server.ListenEndPoint!);
        await client.SendAsync(target, TestMessages.Bytes(TestMessages.Options("z9hG4bK1")));
        var (first, _) = await atServer.NextAsync();

        Assert.Equal(1, client.DropOutgoingConnections());

        await client.SendAsync(target, TestMessages.Bytes(TestMessages.Options("z9hG4bK2")));
        var (second, text) = await atServer.NextAsync();
        Assert.Contains("z9hG4bK2", text);
        Assert.NotEqual(first.ConnectionId, second.ConnectionId);
        Assert.Equal(1, client.ConnectionCount);
        Assert.False(atClient.HasClosed); // a deliberate drop is not a failed flow
    }

    [Fact]
    public async Task TCP_answers_a_request_whose_connection_was_dropped_over_a_new_connection_to_the_server_it_had_connected_to()
    {
        await using var server = new SipStreamTransport(SipTransportKind.Tcp);
        server.Listen(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = new SipStreamTransport(SipTransportKind.Tcp);
        var atServer = new FrameCollector(server);
        var atClient = new FrameCollector(client);
        await client.SendAsync(new SipEndPoint(SipTransportKind.Tcp, server.ListenEndPoint!), TestMessages.Bytes(TestMessages.Options("z9hG4bKreg")));
        var (clientSide, _) = await atServer.NextAsync();
        // The server sends a request over that connection (an incoming INVITE over our flow).
        await server.SendAsync(clientSide, TestMessages.Bytes(TestMessages.Options("z9hG4bKinvite")));
        var (requestSource, _) = await atClient.NextAsync();

        client.DropOutgoingConnections();
        await client.SendAsync(requestSource, TestMessages.Bytes(TestMessages.Ok("z9hG4bKinvite")));

        var (_, response) = await atServer.NextAsync();
        Assert.Equal(TestMessages.Ok("z9hG4bKinvite"), response);
    }

    [Fact]
    public async Task A_WebSocket_reconnects_without_reporting_the_old_connection_as_a_failed_flow()
    {
        await using var server = new MiniWebSocketServer();
        await using var transport = await SipWebSocketTransport.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/sip"),
            new SipWebSocketOptions { KeepAliveInterval = null });
        await server.NextConnectionAsync();
        var collector = new FrameCollector(transport);

        await transport.ReconnectAsync();

        var fresh = await server.NextConnectionAsync();
        Assert.True(transport.IsConnected);
        await transport.SendAsync(transport.RemoteEndPoint!, TestMessages.Bytes(TestMessages.Options()));
        Assert.Equal(TestMessages.Options(), await MiniWebSocketServer.ReceiveTextAsync(fresh));
        await Task.Delay(200);
        Assert.False(collector.HasClosed);
    }
}
