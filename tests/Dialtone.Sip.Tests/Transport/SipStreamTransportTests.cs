using System.Net;
using System.Net.Sockets;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Tests.Transport;

public class SipStreamTransportTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);

    [Fact]
    public async Task Request_and_response_travel_over_one_reused_connection()
    {
        await using var server = new SipStreamTransport(SipTransportKind.Tcp);
        server.Listen(AnyLoopback);
        await using var client = new SipStreamTransport(SipTransportKind.Tcp);
        var atServer = new FrameCollector(server);
        var atClient = new FrameCollector(client);
        var target = new SipEndPoint(SipTransportKind.Tcp, server.ListenEndPoint!);

        await client.SendAsync(target, TestMessages.Bytes(TestMessages.Options("z9hG4bK1")));
        await client.SendAsync(target, TestMessages.Bytes(TestMessages.Options("z9hG4bK2")));
        var (source, first) = await atServer.NextAsync();
        var (_, second) = await atServer.NextAsync();
        Assert.Contains("branch=z9hG4bK1", first);
        Assert.Contains("branch=z9hG4bK2", second);
        Assert.NotNull(source.ConnectionId);
        Assert.Equal(1, client.ConnectionCount);
        Assert.Equal(1, server.ConnectionCount);

        // The response goes back on the connection the request came in on (RFC 3261 §18.2.2).
        await server.SendAsync(source, TestMessages.Bytes(TestMessages.Ok("z9hG4bK1")));
        var (from, response) = await atClient.NextAsync();
        Assert.Equal(TestMessages.Ok("z9hG4bK1"), response);
        Assert.Equal(server.ListenEndPoint, from.Address);
        Assert.EndsWith(".invalid", client.LocalHostPort.Host);
    }

    [Fact]
    public async Task Concurrent_first_sends_share_one_new_connection()
    {
        await using var server = new SipStreamTransport(SipTransportKind.Tcp);
        server.Listen(AnyLoopback);
        await using var client = new SipStreamTransport(SipTransportKind.Tcp);
        var atServer = new FrameCollector(server);
        var target = new SipEndPoint(SipTransportKind.Tcp, server.ListenEndPoint!);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            client.SendAsync(target, TestMessages.Bytes(TestMessages.Options($"z9hG4bKc{i}"))).AsTask()));
        for (var i = 0; i < 10; i++)
            await atServer.NextAsync();
        Assert.Equal(1, client.ConnectionCount);
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task Garbage_on_a_connection_drops_it_and_reports_why()
    {
        await using var server = new SipStreamTransport(SipTransportKind.Tcp);
        server.Listen(AnyLoopback);
        var atServer = new FrameCollector(server);
        using var raw = new TcpClient();
        await raw.ConnectAsync(server.ListenEndPoint!);
        var stream = raw.GetStream();
        await stream.WriteAsync(TestMessages.Bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));

        var (_, reason) = await atServer.NextClosedAsync();
        Assert.IsType<SipFramingException>(reason);
        Assert.Equal(0, await stream.ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, server.ConnectionCount);
        Assert.False(atServer.HasFrame);
    }

    [Fact]
    public async Task Listener_caps_incoming_connections_and_admits_again_when_one_closes()
    {
        await using var server = new SipStreamTransport(SipTransportKind.Tcp, new SipStreamTransportOptions { MaxIncomingConnections = 2 });
        server.Listen(AnyLoopback);
        var atServer = new FrameCollector(server);
        using var first = new TcpClient();
        using var second = new TcpClient();
        await first.ConnectAsync(server.ListenEndPoint!);
        await second.ConnectAsync(server.ListenEndPoint!);
        await WaitUntilAsync(() => server.ConnectionCount == 2);

        // The third is closed at once (the kernel completed its handshake; we end it).
        using var third = new TcpClient();
        await third.ConnectAsync(server.ListenEndPoint!);
        Assert.Equal(0, await ReadOrClosedAsync(third.GetStream()));
        Assert.Equal(1, server.RefusedConnections);

        // Those already open keep working.
        await second.GetStream().WriteAsync(TestMessages.Bytes(TestMessages.Options("z9hG4bKcap2")));
        Assert.Contains("z9hG4bKcap2", (await atServer.NextAsync()).Text);

        // One leaves: a new one is admitted.
        first.Close();
        await WaitUntilAsync(() => server.ConnectionCount == 1);
        using var fourth = new TcpClient();
        await fourth.ConnectAsync(server.ListenEndPoint!);
        await fourth.GetStream().WriteAsync(TestMessages.Bytes(TestMessages.Options("z9hG4bKcap4")));
        Assert.Contains("z9hG4bKcap4", (await atServer.NextAsync()).Text);
    }

    [Fact]
    public async Task Listener_closes_an_incoming_connection_idle_past_the_timeout_but_keep_alives_count()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var server = new SipStreamTransport(SipTransportKind.Tcp,
            new SipStreamTransportOptions { IncomingIdleTimeout = TimeSpan.FromSeconds(60), TimeProvider = time });
        server.Listen(AnyLoopback);
        var atServer = new FrameCollector(server);
        using var pinging = new TcpClient();
        using var silent = new TcpClient();
        await pinging.ConnectAsync(server.ListenEndPoint!);
        await silent.ConnectAsync(server.ListenEndPoint!);
        await WaitUntilAsync(() => server.ConnectionCount == 2);

        // 40 s: the pinging client sends a keep-alive (and reads the pong), the silent one nothing.
        await AdvanceAsync(time, TimeSpan.FromSeconds(40), () => false);
        await pinging.GetStream().WriteAsync("\r\n\r\n"u8.ToArray());
        await pinging.GetStream().ReadExactlyAsync(new byte[2]).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        // 61 s: the silent one is closed; the other was heard from 21 s ago.
        await AdvanceAsync(time, TimeSpan.FromSeconds(21), () => server.ConnectionCount == 1);
        Assert.Equal(1, server.ConnectionCount);
        Assert.Equal(0, await ReadOrClosedAsync(silent.GetStream()));
        var (_, reason) = await atServer.NextClosedAsync();
        Assert.Contains("idle", reason!.Message);
        // And the pinging one goes too, 60 s after its last keep-alive.
        await AdvanceAsync(time, TimeSpan.FromSeconds(40), () => server.ConnectionCount == 0);
        Assert.Equal(0, server.ConnectionCount);
    }

    /// <summary>Virtual time in 1 s steps; after each, a bounded real wait for the transport to act (or for <paramref name="done"/>).</summary>
    private static async Task AdvanceAsync(Microsoft.Extensions.Time.Testing.FakeTimeProvider time, TimeSpan total, Func<bool> done)
    {
        for (var t = TimeSpan.Zero; t < total; t += TimeSpan.FromSeconds(1))
        {
            time.Advance(TimeSpan.FromSeconds(1));
            for (var i = 0; i < 10 && !done(); i++)
                await Task.Delay(5);
        }
        for (var i = 0; i < 400 && !done(); i++)
            await Task.Delay(5);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 2000 && !condition(); i++)
            await Task.Delay(5);
        Assert.True(condition());
    }

    /// <summary>0 when the peer closed the connection (a reset counts too).</summary>
    private static async Task<int> ReadOrClosedAsync(NetworkStream stream)
    {
        try
        {
            return await stream.ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (IOException)
        {
            return 0;
        }
    }

    [Fact]
    public async Task Listener_answers_a_keep_alive_ping_with_a_pong()
    {
        await using var server = new SipStreamTransport(SipTransportKind.Tcp);
        server.Listen(AnyLoopback);
        using var raw = new TcpClient();
        await raw.ConnectAsync(server.ListenEndPoint!);
        var stream = raw.GetStream();
        await stream.WriteAsync("\r\n\r\n"u8.ToArray());
        var pong = new byte[2];
        await stream.ReadExactlyAsync(pong).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("\r\n"u8.ToArray(), pong);
    }

    [Fact]
    public async Task Client_keep_alive_flow_survives_while_pongs_come_and_fails_when_they_stop()
    {
        using var listener = new TcpListener(AnyLoopback);
        listener.Start();
        var options = new SipStreamTransportOptions
        {
            // Pings every 0.8–1 s, pongs awaited 1 s (the 3 s timeout is capped at half the
            // interval): generous enough for a loaded CI machine to answer.
            KeepAliveInterval = TimeSpan.FromSeconds(2),
            KeepAlivePongTimeout = TimeSpan.FromSeconds(3),
        };
        await using var client = new SipStreamTransport(SipTransportKind.Tcp, options);
        var atClient = new FrameCollector(client);
        var target = new SipEndPoint(SipTransportKind.Tcp, (IPEndPoint)listener.LocalEndpoint);
        var send = client.SendAsync(target, TestMessages.Bytes(TestMessages.Options())).AsTask();
        using var accepted = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var stream = accepted.GetStream();
        await AnswerPingAsync(stream); // the probe of the new connection
        await send.WaitAsync(TimeSpan.FromSeconds(10));
        var request = new byte[TestMessages.Bytes(TestMessages.Options()).Length];
        await stream.ReadExactlyAsync(request);

        // Answer two pings: the flow stays up.
        for (var i = 0; i < 2; i++)
            await AnswerPingAsync(stream);
        Assert.False(atClient.HasClosed);

        // Stop answering: the next missing pong fails the flow.
        var (endPoint, reason) = await atClient.NextClosedAsync();
        Assert.Equal(target.Address, endPoint.Address);
        Assert.Contains("pong", reason!.Message);
        Assert.Equal(0, client.ConnectionCount);
    }

    [Fact]
    public async Task A_silent_peer_is_detected_within_the_keep_alive_interval()
    {
        using var listener = new TcpListener(AnyLoopback);
        listener.Start();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var client = new SipStreamTransport(SipTransportKind.Tcp, KeepAlivesInVirtualTime(time));
        var atClient = new FrameCollector(client);
        var target = new SipEndPoint(SipTransportKind.Tcp, (IPEndPoint)listener.LocalEndpoint);
        var send = client.SendAsync(target, TestMessages.Bytes(TestMessages.Options())).AsTask();
        using var accepted = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await AnswerPingAsync(accepted.GetStream());
        await send.WaitAsync(TimeSpan.FromSeconds(10));

        // The peer goes silent right after it answered the connection's probe (it never answers a ping again). Virtual
        // time runs in 1 s steps; each step waits (bounded, real time) until the client acted on it.
        var elapsed = TimeSpan.Zero;
        while (!atClient.HasClosed && elapsed < TimeSpan.FromSeconds(45))
        {
            time.Advance(TimeSpan.FromSeconds(1));
            elapsed += TimeSpan.FromSeconds(1);
            for (var i = 0; i < 20 && !atClient.HasClosed; i++)
                await Task.Delay(5);
        }
        Assert.True(atClient.HasClosed, "the silent peer was never detected");
        // Declared dead within the interval (30 s), not interval + pong timeout (up to 40 s).
        Assert.InRange(elapsed.TotalSeconds, 16, 31);
    }

    [Fact]
    public async Task A_new_connection_carries_nothing_until_the_peer_answered_a_keep_alive()
    {
        using var listener = new TcpListener(AnyLoopback);
        listener.Start();
        // Virtual time stands still, so the pong wait cannot run out: the send waits for the pong alone.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var options = new SipStreamTransportOptions { KeepAliveInterval = TimeSpan.FromSeconds(30), TimeProvider = time };
        await using var client = new SipStreamTransport(SipTransportKind.Tcp, options);
        var target = new SipEndPoint(SipTransportKind.Tcp, (IPEndPoint)listener.LocalEndpoint);
        var message = TestMessages.Bytes(TestMessages.Options());
        var send = client.SendAsync(target, message).AsTask();
        var second = client.SendAsync(target, message).AsTask(); // shares the connection attempt, and waits with it
        using var accepted = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var stream = accepted.GetStream();

        await ReadPingAsync(stream);
        Assert.False(send.IsCompleted);
        Assert.False(second.IsCompleted);

        await stream.WriteAsync("\r\n"u8.ToArray());
        await Task.WhenAll(send, second).WaitAsync(TimeSpan.FromSeconds(10));
        var both = new byte[message.Length * 2];
        await stream.ReadExactlyAsync(both).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([.. message, .. message], both);
        Assert.Equal(1, client.ConnectionCount);
    }

    [Fact]
    public async Task A_peer_that_accepts_but_never_answers_gets_only_the_probe_and_the_send_fails()
    {
        // A frozen SIP server: its kernel accepts the connection, the process reads nothing.
        using var listener = new TcpListener(AnyLoopback);
        listener.Start();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var client = new SipStreamTransport(SipTransportKind.Tcp, KeepAlivesInVirtualTime(time));
        var atClient = new FrameCollector(client);
        var target = new SipEndPoint(SipTransportKind.Tcp, (IPEndPoint)listener.LocalEndpoint);
        var send = client.SendAsync(target, TestMessages.Bytes(TestMessages.Options())).AsTask();
        using var accepted = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var stream = accepted.GetStream();
        await ReadPingAsync(stream);

        // The pong wait (10 s) starts just after the ping went out, which on a loaded machine may be
        // after virtual time began to move: so it moves on, 1 s per step, until the send gave up
        // (bounded in real time).
        var real = System.Diagnostics.Stopwatch.StartNew();
        while (!send.IsCompleted && real.Elapsed < TimeSpan.FromSeconds(30))
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }
        var ex = await Assert.ThrowsAsync<SipTransportException>(() => send.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("did not answer a keep-alive", ex.Message);
        Assert.Equal(0, client.ConnectionCount);
        Assert.True(atClient.HasClosed);

        // What the server reads when it resumes: after the ping, the end of the connection — no request.
        Assert.Equal(0, await ReadOrClosedAsync(stream));
    }

    /// <summary>Keep-alives every 30 s with a 10 s pong wait, timed by <paramref name="time"/>.</summary>
    private static SipStreamTransportOptions KeepAlivesInVirtualTime(Microsoft.Extensions.Time.Testing.FakeTimeProvider time) => new()
    {
        KeepAliveInterval = TimeSpan.FromSeconds(30),
        KeepAlivePongTimeout = TimeSpan.FromSeconds(10),
        TimeProvider = time,
    };

    private static async Task ReadPingAsync(NetworkStream stream)
    {
        var ping = new byte[4];
        await stream.ReadExactlyAsync(ping).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("\r\n\r\n"u8.ToArray(), ping);
    }

    private static async Task AnswerPingAsync(NetworkStream stream)
    {
        await ReadPingAsync(stream);
        await stream.WriteAsync("\r\n"u8.ToArray());
    }

    [Fact]
    public async Task Connecting_to_a_closed_port_is_a_transport_error()
    {
        using var probe = new TcpListener(AnyLoopback);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        await using var client = new SipStreamTransport(SipTransportKind.Tcp);
        var ex = await Assert.ThrowsAsync<SipTransportException>(() =>
            client.SendAsync(new SipEndPoint(SipTransportKind.Tcp, new IPEndPoint(IPAddress.Loopback, port)), new byte[4]).AsTask());
        Assert.Contains("cannot connect", ex.Message);
    }

    [Fact]
    public async Task Sending_to_a_closed_connection_id_fails_instead_of_opening_a_new_one()
    {
        await using var server = new SipStreamTransport(SipTransportKind.Tcp);
        server.Listen(AnyLoopback);
        var stale = new SipEndPoint(SipTransportKind.Tcp, new IPEndPoint(IPAddress.Loopback, 1), "tcp999");
        await Assert.ThrowsAsync<SipTransportException>(() => server.SendAsync(stale, new byte[4]).AsTask());
    }
}
