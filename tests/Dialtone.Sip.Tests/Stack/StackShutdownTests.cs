using System.Net;
using System.Net.Sockets;
using System.Text;
using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Tests.Stack;

/// <summary>
/// Disposing the stack right after a message was handed over (a bot rejecting a call, then exiting)
/// does not lose it: the stack waits, bounded, for messages still on their way into a connection.
/// Over real loopback TCP, with the peer slow to answer the new connection's keep-alive probe.
/// </summary>
public sealed class StackShutdownTests
{
    [Fact]
    public async Task A_message_still_opening_its_connection_reaches_the_peer_although_the_stack_is_disposed_meanwhile()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var transport = new SipStreamTransport(SipTransportKind.Tcp, new SipStreamTransportOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        var stack = new SipStack([transport]);

        // Handed over: the connection is opened and probed (ping, then the peer's pong) after this returns.
        await SendAckAsync(stack, transport, listener, "shutdown-drain");
        using var accepted = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var disposing = stack.DisposeAsync().AsTask();

        var stream = accepted.GetStream();
        var ping = new byte[4];
        await stream.ReadExactlyAsync(ping).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("\r\n\r\n"u8.ToArray(), ping);
        await Task.Delay(300);  // the slow peer: the stack is being disposed meanwhile
        // Still waiting for its ACK — unless a loaded machine let the whole bound pass before we got here.
        if (clock.Elapsed < SipStack.SendsDrainBound - TimeSpan.FromMilliseconds(200))
            Assert.False(disposing.IsCompleted, "the stack was disposed before its ACK went out");
        await stream.WriteAsync("\r\n"u8.ToArray());

        var received = await ReadMessageAsync(stream).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith("ACK sip:bob@127.0.0.1", received);
        Assert.Contains("shutdown-drain", received);
        await disposing.WaitAsync(SipStack.SendsDrainBound + TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_peer_that_never_lets_the_message_through_holds_up_the_disposal_no_longer_than_the_bound()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        // A pong wait longer than the bound: the probe would hold the message for 30 s.
        var transport = new SipStreamTransport(SipTransportKind.Tcp, new SipStreamTransportOptions
        {
            KeepAliveInterval = TimeSpan.FromSeconds(120),
            KeepAlivePongTimeout = TimeSpan.FromSeconds(30),
        });
        var stack = new SipStack([transport]);
        await SendAckAsync(stack, transport, listener, "shutdown-bound");
        using var accepted = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await stack.DisposeAsync().AsTask().WaitAsync(SipStack.SendsDrainBound + TimeSpan.FromSeconds(10));
        Assert.True(clock.Elapsed >= SipStack.SendsDrainBound - TimeSpan.FromMilliseconds(100), $"disposed after {clock.Elapsed.TotalMilliseconds:F0} ms: it did not wait for the message");
    }

    /// <summary>Hands an ACK for the peer behind <paramref name="listener"/> to the stack (it returns before the ACK is on the wire).</summary>
    private static Task SendAckAsync(SipStack stack, SipStreamTransport transport, TcpListener listener, string callId)
    {
        var peer = new SipEndPoint(SipTransportKind.Tcp, (IPEndPoint)listener.LocalEndpoint);
        var ack = new SipRequest(SipMethods.Ack, SipUri.Parse($"sip:bob@127.0.0.1:{peer.Address.Port};transport=tcp"))
        {
            From = SipAddress.Parse("<sip:alice@127.0.0.1>;tag=a1"),
            To = SipAddress.Parse("<sip:bob@127.0.0.1>;tag=b1"),
            CallId = callId,
            CSeq = new SipCSeq(1, SipMethods.Ack),
        };
        return stack.SendAckAsync(ack, new SipSendOptions(peer, transport));
    }

    private static async Task<string> ReadMessageAsync(NetworkStream stream)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (!text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
                break;
            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
        return text.ToString().TrimStart('\r', '\n');
    }
}
