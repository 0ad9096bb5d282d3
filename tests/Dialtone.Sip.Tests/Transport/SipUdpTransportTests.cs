using System.Net;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Tests.Transport;

public class SipUdpTransportTests
{
    [Fact]
    public async Task Datagrams_arrive_whole_with_the_sender_address()
    {
        await using var a = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0));
        await using var b = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0));
        var atB = new FrameCollector(b);

        var body = new string('x', 3000); // larger than one MTU: still one datagram on loopback
        await a.SendAsync(new SipEndPoint(SipTransportKind.Udp, b.LocalEndPoint), TestMessages.Bytes(TestMessages.Options(body: body)));

        var (source, text) = await atB.NextAsync();
        Assert.Equal(TestMessages.Options(body: body), text);
        Assert.Equal(a.LocalEndPoint, source.Address);
        Assert.Null(source.ConnectionId);
        Assert.Equal(new SipHostPort("127.0.0.1", b.LocalEndPoint.Port), b.LocalHostPort);
    }

    [Fact]
    public async Task Refuses_other_transports_and_oversized_messages()
    {
        await using var a = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0));
        var tcp = new SipEndPoint(SipTransportKind.Tcp, new IPEndPoint(IPAddress.Loopback, 5060));
        await Assert.ThrowsAsync<SipTransportException>(() => a.SendAsync(tcp, new byte[10]).AsTask());
        var udp = tcp with { Kind = SipTransportKind.Udp };
        var ex = await Assert.ThrowsAsync<SipTransportException>(() => a.SendAsync(udp, new byte[70000]).AsTask());
        Assert.Contains("does not fit", ex.Message);
    }
}
