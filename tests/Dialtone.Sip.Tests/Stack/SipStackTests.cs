using System.Net;
using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Tests.Infrastructure;
using Dialtone.Sip.Transactions;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Tests.Stack;

public sealed class SipStackTests
{
    [Fact]
    public async Task MalformedRequest_GetsA400SayingWhatWasWrong()
    {
        await using var h = new StackHarness();
        h.Stack.TransactionUser = new RecordingTransactionUser();
        await h.PeerSendsAsync(StackHarness.RequestText("OPTIONS", "z9hG4bKbad").Replace("CSeq: 1 OPTIONS", "CSeq: one OPTIONS"));
        var response = (SipResponse)h.Local.Take().Single().Parse();
        Assert.Equal(400, response.StatusCode);
        Assert.Contains("sequence number", response.ReasonPhrase);
        Assert.Equal("z9hG4bKbad", response.TopVia!.Branch);
    }

    [Fact]
    public async Task RequestWithBadBodyFraming_StillGetsA400()
    {
        await using var h = new StackHarness();
        await h.PeerSendsAsync(StackHarness.RequestText("MESSAGE", "z9hG4bKlen").Replace("Content-Length: 0", "Content-Length: 50") + "short");
        var response = (SipResponse)h.Local.Take().Single().Parse();
        Assert.Equal(400, response.StatusCode);
        Assert.Contains("Content-Length", response.ReasonPhrase);
    }

    [Fact]
    public async Task RequestMissingCallId_Gets400_WhileGarbageIsDropped()
    {
        await using var h = new StackHarness();
        await h.PeerSendsAsync(StackHarness.RequestText("OPTIONS", "z9hG4bKnoid").Replace("Call-ID: call-1\r\n", ""));
        Assert.Empty(h.Local.Take()); // no Call-ID: no valid response can be built
        await h.PeerSendsAsync(StackHarness.RequestText("OPTIONS", "z9hG4bKnomf").Replace("CSeq: 1 OPTIONS", "CSeq: 1 INFO"));
        Assert.Contains("CSeq method", ((SipResponse)h.Local.Take().Single().Parse()).ReasonPhrase);
        await h.PeerSendsAsync("\u0001\u0002garbage\r\n\r\n");
        await h.PeerSendsAsync("\r\n\r\n"); // keep-alive
        Assert.Empty(h.Local.Take());
    }

    [Fact]
    public async Task MalformedResponse_IsDropped()
    {
        await using var h = new StackHarness();
        var tx = await h.Stack.StartRequestAsync(h.NewRequest(SipMethods.Options));
        await h.SettleAsync();
        var good = StackHarness.ResponseTo(h.Local.Take().Single(), 200);
        await h.PeerSendsAsync(good.Replace("CSeq: 1 OPTIONS", "CSeq: x OPTIONS"));
        Assert.False(tx.FinalResponse.IsCompleted);
        await h.PeerSendsAsync(good);
        Assert.Equal(200, (await tx.FinalResponse).StatusCode);
    }

    [Fact]
    public async Task NoTransactionUser_Answers501()
    {
        await using var h = new StackHarness();
        await h.PeerSendsAsync(StackHarness.RequestText("SUBSCRIBE", "z9hG4bKsub"));
        Assert.StartsWith("SIP/2.0 501", h.Local.Take().Single().FirstLine);
    }

    [Fact]
    public async Task ReceivedAndRport_AreStamped_AndResponsesGoToTheSourcePort()
    {
        await using var h = new StackHarness();
        var tu = new RecordingTransactionUser { AutoRespond = 200 };
        h.Stack.TransactionUser = tu;
        // The peer claims a private address and asks for rport (RFC 3581).
        await h.PeerSendsAsync(StackHarness.RequestText("OPTIONS", "z9hG4bKnat", sentBy: "192.168.1.5:5999;rport"));
        var via = tu.Requests.Single().Request.TopVia!;
        Assert.Equal("10.0.0.2", via.Received);
        Assert.Equal(5070, via.Rport);
        var sent = h.Local.Take().Single();
        Assert.Equal(h.PeerEndPoint.Address, sent.Destination.Address);
        Assert.Contains("Via: SIP/2.0/UDP 192.168.1.5:5999;rport=5070;branch=z9hG4bKnat;received=10.0.0.2\r\n", sent.Text);
    }

    [Fact]
    public async Task WithoutRport_ResponsesGoToReceivedAddressAtSentByPort()
    {
        await using var h = new StackHarness();
        var tu = new RecordingTransactionUser { AutoRespond = 200 };
        h.Stack.TransactionUser = tu;
        await h.PeerSendsAsync(StackHarness.RequestText("OPTIONS", "z9hG4bKnorport", sentBy: "peer.example.com:5999"));
        Assert.Equal("10.0.0.2", tu.Requests.Single().Request.TopVia!.Received);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.2"), 5999), h.Local.Take().Single().Destination.Address);
    }

    [Fact]
    public async Task OutgoingRequest_GetsViaWithMagicCookieBranchAndRport()
    {
        await using var h = new StackHarness();
        await h.Stack.StartRequestAsync(h.NewRequest(SipMethods.Options));
        await h.SettleAsync();
        var sent = h.Local.Take().Single();
        var request = (SipRequest)sent.Parse();
        Assert.Equal("UDP", request.TopVia!.Transport);
        Assert.Equal("10.0.0.1", request.TopVia.Host);
        Assert.True(request.TopVia.HasRfc3261Branch);
        Assert.True(request.TopVia.HasRport);
        Assert.Equal(70, request.MaxForwards);
        Assert.NotNull(request.From!.Tag);
        Assert.Equal(h.PeerEndPoint, sent.Destination); // resolved from sip:bob@10.0.0.2:5070
    }

    [Fact]
    public async Task Requests_GoToTheFirstRoute()
    {
        await using var h = new StackHarness();
        var request = h.NewRequest(SipMethods.Options);
        request.RequestUri = SipUri.Parse("sip:bob@far.example.com");
        request.Headers.Add(SipHeaderNames.Route, "<sip:10.0.0.2:5070;lr>");
        await h.Stack.StartRequestAsync(request);
        await h.SettleAsync();
        Assert.Equal(h.PeerEndPoint, h.Local.Take().Single().Destination);
    }

    [Fact]
    public async Task NoTransportForTheTarget_Throws()
    {
        await using var h = new StackHarness();
        var request = h.NewRequest(SipMethods.Options);
        request.RequestUri = SipUri.Parse("sip:bob@10.0.0.2;transport=tcp");
        await Assert.ThrowsAsync<SipTransportException>(() => h.Stack.SendRequestAsync(request));
    }

    [Fact]
    public async Task IncompleteRequest_IsRejectedBeforeSending()
    {
        await using var h = new StackHarness();
        var request = new SipRequest(SipMethods.Options, SipUri.Parse("sip:bob@10.0.0.2"));
        await Assert.ThrowsAsync<ArgumentException>(() => h.Stack.SendRequestAsync(request));
    }

    [Fact]
    public async Task Dispose_FailsPendingTransactions_AndDisposesTransports()
    {
        var h = new StackHarness();
        var tx = await h.Stack.StartRequestAsync(h.NewRequest(SipMethods.Options));
        await h.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => tx.FinalResponse);
        Assert.True(h.Local.Disposed);
    }

    [Fact]
    public void DirectResolver_PicksTransportAndDefaultPorts()
    {
        Assert.Equal(SipTransportKind.Tls, DirectTargetResolver.TransportOf(SipUri.Parse("sips:a@b")));
        Assert.Equal(SipTransportKind.Tcp, DirectTargetResolver.TransportOf(SipUri.Parse("sip:a@b;transport=TCP")));
        Assert.Equal(SipTransportKind.Wss, DirectTargetResolver.TransportOf(SipUri.Parse("sip:a@b;transport=wss")));
        Assert.Equal(SipTransportKind.Udp, DirectTargetResolver.TransportOf(SipUri.Parse("sip:a@b")));
        Assert.Equal(5061, DirectTargetResolver.DefaultPort(SipTransportKind.Tls));
    }

    [Fact]
    public async Task DirectResolver_Ipv6AndMaddr()
    {
        var resolver = new DirectTargetResolver();
        var v6 = await resolver.ResolveAsync(SipUri.Parse("sip:a@[::1]:5070"), default);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 5070), v6.Single().Address);
        var maddr = await resolver.ResolveAsync(SipUri.Parse("sip:a@example.invalid;maddr=127.0.0.2;transport=tls"), default);
        Assert.Equal(new SipEndPoint(SipTransportKind.Tls, new IPEndPoint(IPAddress.Parse("127.0.0.2"), 5061)), maddr.Single());
    }

    [Fact]
    public void Ids_AreRandomAndBranchesCarryTheMagicCookie()
    {
        Assert.StartsWith("z9hG4bK", SipIds.NewBranch());
        Assert.NotEqual(SipIds.NewTag(), SipIds.NewTag());
        Assert.NotEqual(SipIds.NewCallId(), SipIds.NewCallId());
    }
}
