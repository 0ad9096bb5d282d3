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
        // RFC 3261 §8.2: answered 400 from what is present (here without a Call-ID to copy).
        var noCallId = (SipResponse)h.Local.Take().Single().Parse();
        Assert.Equal(400, noCallId.StatusCode);
        Assert.Contains("Call-ID", noCallId.ReasonPhrase);
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
    public void UriResolver_PicksTransportAndDefaultPorts()
    {
        Assert.Equal(SipTransportKind.Tls, SipUriResolver.TransportOf(SipUri.Parse("sips:a@b")));
        Assert.Equal(SipTransportKind.Tls, SipUriResolver.TransportOf(SipUri.Parse("sips:a@b;transport=tcp")));
        Assert.Equal(SipTransportKind.Tcp, SipUriResolver.TransportOf(SipUri.Parse("sip:a@b;transport=TCP")));
        Assert.Equal(SipTransportKind.Wss, SipUriResolver.TransportOf(SipUri.Parse("sip:a@b;transport=wss")));
        Assert.Null(SipUriResolver.TransportOf(SipUri.Parse("sip:a@b")));
        Assert.Throws<SipTransportException>(() => SipUriResolver.TransportOf(SipUri.Parse("sips:a@b;transport=udp")));
        Assert.Equal(5061, SipUriResolver.DefaultPort(SipTransportKind.Tls));
    }

    [Fact]
    public async Task UriResolver_Ipv6AndMaddr()
    {
        var resolver = new SipUriResolver();
        var v6 = await resolver.ResolveAsync(SipUri.Parse("sip:a@[::1]:5070"), default);
        Assert.Equal(new SipEndPoint(SipTransportKind.Udp, new IPEndPoint(IPAddress.IPv6Loopback, 5070)), v6.Single());
        var maddr = await resolver.ResolveAsync(SipUri.Parse("sip:a@example.invalid;maddr=127.0.0.2;transport=tls"), default);
        Assert.Equal(new SipEndPoint(SipTransportKind.Tls, new IPEndPoint(IPAddress.Parse("127.0.0.2"), 5061)), maddr.Single());
    }

    [Fact]
    public async Task UriResolver_HandsHostLookupToThePluggedResolver()
    {
        (string, int?, SipTransportKind?, bool)? asked = null;
        var resolver = new SipUriResolver((host, port, transport, secure, _) =>
        {
            asked = (host, port, transport, secure);
            return ValueTask.FromResult<IReadOnlyList<SipEndPoint>>([new SipEndPoint(SipTransportKind.Tls, new IPEndPoint(IPAddress.Loopback, 5061))]);
        });
        await resolver.ResolveAsync(SipUri.Parse("sips:alice@carrier.example.com"), default);
        Assert.Equal(("carrier.example.com", null, SipTransportKind.Tls, true), asked);
        await resolver.ResolveAsync(SipUri.Parse("sip:alice@carrier.example.com"), default);
        Assert.Equal(("carrier.example.com", null, null, false), asked); // NAPTR may choose
    }

    [Fact]
    public async Task UriResolver_WrapsHostResolverFailures()
    {
        var resolver = new SipUriResolver((_, _, _, _, _) => throw new InvalidOperationException("NXDOMAIN"));
        var e = await Assert.ThrowsAsync<SipTransportException>(async () => await resolver.ResolveAsync(SipUri.Parse("sip:a@nowhere.example"), default));
        Assert.Contains("NXDOMAIN", e.Message);
    }

    [Fact]
    public async Task TransportFailure_FailsOverToTheNextResolvedDestination()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var network = new LoopbackNetwork();
        var udp = network.Bind(SipTransportKind.Udp, "10.0.0.1", 5060, time);
        var tcp = network.Bind(SipTransportKind.Tcp, "10.0.0.1", 5061, time);
        var server = network.Bind(SipTransportKind.Udp, "10.0.0.3", 5060, time);
        tcp.FailSends = new SipTransportException("connection refused");
        var resolver = new SipUriResolver((_, _, _, _, _) => ValueTask.FromResult<IReadOnlyList<SipEndPoint>>(
        [
            new SipEndPoint(SipTransportKind.Tcp, new IPEndPoint(IPAddress.Parse("10.0.0.9"), 5060)),
            server.EndPoint,
        ]));
        await using var stack = new SipStack([udp, tcp], resolver: resolver, timeProvider: time);
        await using var serverStack = new SipStack([server], timeProvider: time) { TransactionUser = new RecordingTransactionUser { AutoRespond = 200 } };
        var request = SipRequestFactory.Create(SipMethods.Options, SipUri.Parse("sip:example.com"), new SipAddress(SipUri.Parse("sip:a@example.com")), new SipAddress(SipUri.Parse("sip:example.com")));
        var response = await stack.SendRequestAsync(request);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("UDP", response.TopVia!.Transport);
    }

    [Fact]
    public async Task ClosedConnection_FailsItsTransactionsAtOnce()
    {
        await using var h = new StackHarness(SipTransportKind.Tcp);
        var tx = await h.Stack.StartRequestAsync(h.NewRequest(SipMethods.Invite), new SipSendOptions(h.PeerEndPoint));
        await h.SettleAsync();
        h.Local.SimulateConnectionClosed(h.PeerEndPoint, new IOException("reset by peer"));
        var error = await Assert.ThrowsAsync<SipTransportException>(() => tx.FinalResponse);
        Assert.Contains("reset by peer", error.Message);
    }

    [Fact]
    public async Task FailingTransactionUser_Gets500SentForIt_AndTheStackKeepsWorking()
    {
        await using var h = new StackHarness();
        h.Stack.TransactionUser = new ThrowingUser();
        await h.PeerSendsAsync(StackHarness.RequestText("MESSAGE", "z9hG4bKboom"));
        Assert.StartsWith("SIP/2.0 500", h.Local.Take().Single().FirstLine);
        await h.PeerSendsAsync(StackHarness.RequestText("MESSAGE", "z9hG4bKboom2", cseq: 2));
        Assert.StartsWith("SIP/2.0 500", h.Local.Take().Single().FirstLine);
    }

    [Fact]
    public async Task RespondingAfterShutdown_FailsInsteadOfHanging()
    {
        var h = new StackHarness();
        var tu = new RecordingTransactionUser();
        h.Stack.TransactionUser = tu;
        await h.PeerSendsAsync(StackHarness.RequestText("OPTIONS", "z9hG4bKlate"));
        await h.DisposeAsync();
        var tx = tu.Requests.Single();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => tx.SendResponseAsync(tx.CreateResponse(200)).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private sealed class ThrowingUser : ISipTransactionUser
    {
        public void OnRequest(SipServerTransaction transaction) => throw new InvalidOperationException("bug in the layer above");
    }

    [Fact]
    public async Task Dispose_IsIdempotentAndConcurrentSafe()
    {
        var h = new StackHarness();
        await Task.WhenAll(h.Stack.DisposeAsync().AsTask(), h.Stack.DisposeAsync().AsTask());
        await h.Stack.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => h.Stack.SendRequestAsync(h.NewRequest(SipMethods.Options)));
    }

    [Fact]
    public void Options_AreValidatedWhenCreated()
    {
        Assert.Throws<ArgumentException>(() => new SipStackOptions { UserAgent = "x\r\nInjected: 1" });
        Assert.Throws<ArgumentException>(() => new SipStackOptions { SupportedExtensions = ["ok", "not ok"] });
        Assert.Throws<ArgumentNullException>(() => new SipStackOptions { Timers = null! });
    }

    [Fact]
    public void Ids_AreRandomAndBranchesCarryTheMagicCookie()
    {
        Assert.StartsWith("z9hG4bK", SipIds.NewBranch());
        Assert.NotEqual(SipIds.NewTag(), SipIds.NewTag());
        Assert.NotEqual(SipIds.NewCallId(), SipIds.NewCallId());
    }
}
