using System.Net;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Tests.Transport;

public class SipUdpTransportTests
{
    [Fact]
    public async Task Datagrams_arrive_whole_with_the_sender_address()
    {
        await using var a = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0));
        await using var b = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0), options: new SipUdpTransportOptions { AcceptRequestsFromAnyone = true });
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

    [Fact]
    public async Task Requests_come_only_from_known_peers_unless_widened_while_responses_always_arrive()
    {
        // Three loopback addresses stand for the phone, its proxy and a stranger on the network.
        await using var phone = new SipUdpTransport(new IPEndPoint(IPAddress.Parse("127.0.0.1"), 0));
        await using var proxy = new SipUdpTransport(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        await using var stranger = new SipUdpTransport(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0));
        var atPhone = new FrameCollector(phone);
        var phoneAddress = new SipEndPoint(SipTransportKind.Udp, phone.LocalEndPoint);

        // Nobody is known yet: the stranger's INVITE-like request is dropped, its response is not.
        await stranger.SendAsync(phoneAddress, TestMessages.Bytes(TestMessages.Options("z9hG4bKstranger1")));
        await stranger.SendAsync(phoneAddress, TestMessages.Bytes(TestMessages.Ok("z9hG4bKresp")));
        var (_, first) = await atPhone.NextAsync();
        Assert.StartsWith("SIP/2.0 200", first);

        // The phone talks to its proxy (REGISTER): from then on the proxy's requests come through.
        await phone.SendAsync(new SipEndPoint(SipTransportKind.Udp, proxy.LocalEndPoint), TestMessages.Bytes(TestMessages.Options("z9hG4bKreg")));
        await proxy.SendAsync(phoneAddress, TestMessages.Bytes(TestMessages.Options("z9hG4bKfromproxy")));
        var (source, second) = await atPhone.NextAsync();
        Assert.Equal(proxy.LocalEndPoint, source.Address);
        Assert.Contains("z9hG4bKfromproxy", second);

        await stranger.SendAsync(phoneAddress, TestMessages.Bytes(TestMessages.Options("z9hG4bKstranger2")));
        phone.Trust(IPAddress.Parse("127.0.0.4"));
        await using var trusted = new SipUdpTransport(new IPEndPoint(IPAddress.Parse("127.0.0.4"), 0));
        await trusted.SendAsync(phoneAddress, TestMessages.Bytes(TestMessages.Options("z9hG4bKtrusted")));
        var (_, third) = await atPhone.NextAsync();
        Assert.Contains("z9hG4bKtrusted", third);
        Assert.Equal(2, phone.RefusedRequests);

        // Widened (a server role), the stranger gets through.
        await using var open = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0), options: new SipUdpTransportOptions { AcceptRequestsFromAnyone = true });
        var atOpen = new FrameCollector(open);
        await stranger.SendAsync(new SipEndPoint(SipTransportKind.Udp, open.LocalEndPoint), TestMessages.Bytes(TestMessages.Options("z9hG4bKwelcome")));
        Assert.Contains("z9hG4bKwelcome", (await atOpen.NextAsync()).Text);
    }
}
