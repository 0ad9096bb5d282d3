using System.Net.WebSockets;
using System.Text;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Tests.Transport;

public class SipWebSocketTransportTests
{
    private static SipWebSocketOptions NoKeepAlive => new() { KeepAliveInterval = null };

    [Fact]
    public async Task Messages_travel_one_per_websocket_message_with_the_sip_subprotocol()
    {
        await using var server = new MiniWebSocketServer();
        await using var transport = await SipWebSocketTransport.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/sip"), NoKeepAlive);
        var peer = await server.NextConnectionAsync();
        var collector = new FrameCollector(transport);

        Assert.Equal("sip", server.LastRequestedProtocols);
        Assert.Equal(SipTransportKind.Ws, transport.Kind);
        Assert.Equal("WS", transport.Kind.ViaToken());
        Assert.Matches(@"^[a-z0-9]{12}\.invalid$", transport.LocalHostPort.Host);

        var remote = transport.RemoteEndPoint!;
        await transport.SendAsync(remote, TestMessages.Bytes(TestMessages.Options()));
        Assert.Equal(TestMessages.Options(), await MiniWebSocketServer.ReceiveTextAsync(peer));

        // A message split over several frames is still one SIP message.
        var ok = TestMessages.Bytes(TestMessages.Ok());
        await peer.SendAsync(ok.AsMemory(0, 10), WebSocketMessageType.Text, false, CancellationToken.None);
        await peer.SendAsync(ok.AsMemory(10), WebSocketMessageType.Text, true, CancellationToken.None);
        var (source, text) = await collector.NextAsync();
        Assert.Equal(TestMessages.Ok(), text);
        Assert.Equal(remote, source);
        Assert.Equal(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, server.Port), source.Address);
    }

    [Theory]
    [InlineData("OPTIONS sip:bob@x.invalid SIP/7.0", "505 Version Not Supported")]
    [InlineData("OPTIONS  sip:bob@x.invalid SIP/2.0", "400 ")]
    public async Task A_bad_request_line_from_the_server_gets_its_rfc3261_answer_on_the_flow(string requestLine, string answer)
    {
        // RFC 3261 §8.2 over WebSocket too: the answer goes back on the flow, which stays up.
        await using var server = new MiniWebSocketServer();
        var transport = await SipWebSocketTransport.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/sip"), NoKeepAlive);
        await using var stack = new SipStack([transport], new SipStackOptions());
        var peer = await server.NextConnectionAsync();
        static string Request(string line, int cseq) =>
            $"{line}\r\nVia: SIP/2.0/WS proxy.invalid;branch=z9hG4bK-ws-{cseq}\r\nMax-Forwards: 70\r\n" +
            $"From: <sip:alice@x.invalid>;tag=a{cseq}\r\nTo: <sip:bob@x.invalid>\r\nCall-ID: ws-bad-line\r\n" +
            $"CSeq: {cseq} OPTIONS\r\nContent-Length: 0\r\n\r\n";

        await peer.SendAsync(TestMessages.Bytes(Request(requestLine, 1)), WebSocketMessageType.Text, true, CancellationToken.None);
        Assert.StartsWith("SIP/2.0 " + answer, await MiniWebSocketServer.ReceiveTextAsync(peer).WaitAsync(TimeSpan.FromSeconds(10)));
        await peer.SendAsync(TestMessages.Bytes(Request("OPTIONS sip:bob@x.invalid SIP/2.0", 2)), WebSocketMessageType.Text, true, CancellationToken.None);
        // No transaction user here: the stack's own answer to a good request is 501.
        Assert.StartsWith("SIP/2.0 501 ", await MiniWebSocketServer.ReceiveTextAsync(peer).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(transport.IsConnected);
    }

    [Fact]
    public async Task Server_without_the_sip_subprotocol_is_refused_clearly()
    {
        await using var server = new MiniWebSocketServer(subProtocol: null);
        var ex = await Assert.ThrowsAsync<SipTransportException>(() =>
            SipWebSocketTransport.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/"), NoKeepAlive));
        Assert.Contains("'sip' subprotocol", ex.Message);
    }

    [Fact]
    public async Task Server_close_raises_connection_closed_and_reconnecting_opens_a_new_flow()
    {
        await using var server = new MiniWebSocketServer();
        await using var transport = await SipWebSocketTransport.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/"), NoKeepAlive);
        var collector = new FrameCollector(transport);
        var first = await server.NextConnectionAsync();
        var firstFlow = transport.RemoteEndPoint!;

        await first.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "going away", CancellationToken.None);
        var (closed, reason) = await collector.NextClosedAsync();
        Assert.Equal(firstFlow, closed);
        Assert.Contains("going away", reason!.Message);
        Assert.False(transport.IsConnected);
        await Assert.ThrowsAsync<SipTransportException>(() => transport.SendAsync(firstFlow, new byte[4]).AsTask());

        await transport.ConnectAsync();
        var second = await server.NextConnectionAsync();
        Assert.NotEqual(firstFlow.ConnectionId, transport.RemoteEndPoint!.ConnectionId);
        await transport.SendAsync(transport.RemoteEndPoint!, TestMessages.Bytes(TestMessages.Options()));
        Assert.Equal(TestMessages.Options(), await MiniWebSocketServer.ReceiveTextAsync(second));
        // The old flow's id no longer reaches anyone.
        await Assert.ThrowsAsync<SipTransportException>(() => transport.SendAsync(firstFlow, new byte[4]).AsTask());
    }

    [Fact]
    public async Task Oversized_message_closes_the_flow()
    {
        await using var server = new MiniWebSocketServer();
        await using var transport = await SipWebSocketTransport.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/"),
            NoKeepAlive with { MaxMessageSize = 1024 });
        var collector = new FrameCollector(transport);
        var peer = await server.NextConnectionAsync();
        await peer.SendAsync(Encoding.ASCII.GetBytes(new string('x', 5000)), WebSocketMessageType.Text, true, CancellationToken.None);
        var (_, reason) = await collector.NextClosedAsync();
        Assert.Contains("1024-byte limit", reason!.Message);
        Assert.False(collector.HasFrame);
    }

    [Fact]
    public async Task Wss_keeps_the_host_name_for_sni_and_verification()
    {
        var ca = TestCertificates.CreateCa();
        await using var server = new MiniWebSocketServer(certificate: TestCertificates.CreateServer(ca, "localhost"));
        var uri = new Uri($"wss://localhost:{server.Port}/");

        var refused = await Assert.ThrowsAsync<SipTransportException>(() => SipWebSocketTransport.ConnectAsync(uri, NoKeepAlive));
        Assert.Contains("SSL", refused.Message, StringComparison.OrdinalIgnoreCase);

        await using var transport = await SipWebSocketTransport.ConnectAsync(uri,
            NoKeepAlive with { Tls = new SipTlsOptions { TrustedRootCertificates = [ca] } });
        var peer = await server.NextConnectionAsync();
        Assert.Equal("localhost", server.LastServerName);
        Assert.Equal(SipTransportKind.Wss, transport.Kind);
        await transport.SendAsync(transport.RemoteEndPoint!, TestMessages.Bytes(TestMessages.Options()));
        Assert.Equal(TestMessages.Options(), await MiniWebSocketServer.ReceiveTextAsync(peer));
    }

    [Fact]
    public void Only_ws_and_wss_uris_are_accepted()
    {
        Assert.Throws<ArgumentException>(() => new SipWebSocketTransport(new Uri("http://127.0.0.1/")));
    }
}
