using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Tests.Infrastructure;

namespace Dialtone.Sip.Tests.Stack;

/// <summary>RFC 3261 §8.2.2 checks the stack makes before the transaction user sees a request, and §8.1.3.3.</summary>
public sealed class UasRequestCheckTests
{
    [Fact]
    public async Task UnknownRequestUriScheme_Gets416()
    {
        await using var h = new StackHarness();
        var tu = new RecordingTransactionUser();
        h.Stack.TransactionUser = tu;
        await h.PeerSendsAsync(StackHarness.RequestText("MESSAGE", "z9hG4bK416").Replace("MESSAGE sip:alice@10.0.0.1:5060", "MESSAGE mailto:alice@example.com"));
        Assert.StartsWith("SIP/2.0 416", h.Local.Take().Single().FirstLine);
        Assert.Empty(tu.Requests);
    }

    [Fact]
    public async Task MergedRequest_ArrivingByASecondPath_Gets482()
    {
        await using var h = new StackHarness();
        var tu = new RecordingTransactionUser();
        h.Stack.TransactionUser = tu;
        await h.PeerSendsAsync(StackHarness.RequestText("INVITE", "z9hG4bKpath1"));
        h.Local.Take();
        // The same INVITE (From tag, Call-ID, CSeq) forked through another proxy: a new branch.
        await h.PeerSendsAsync(StackHarness.RequestText("INVITE", "z9hG4bKpath2"));
        Assert.Equal(["SIP/2.0 100 Trying", "SIP/2.0 482 Loop Detected (merged request)"], h.Local.Take().Select(m => m.FirstLine));
        Assert.Single(tu.Requests);
    }

    [Fact]
    public async Task RequireWithUnknownExtension_Gets420_WhenExtensionsAreDeclared()
    {
        await using var h = new StackHarness(options: new SipStackOptions { Timers = StackHarness.Timers, SupportedExtensions = ["path", "outbound"] });
        var tu = new RecordingTransactionUser { AutoRespond = 200 };
        h.Stack.TransactionUser = tu;
        await h.PeerSendsAsync(StackHarness.RequestText("OPTIONS", "z9hG4bKreq1", "Require: outbound, 100rel, foo\r\n"));
        var response = (SipResponse)h.Local.Take().Single().Parse();
        Assert.Equal(420, response.StatusCode);
        Assert.Equal(["100rel", "foo"], response.Headers.Values(SipHeaderNames.Unsupported));
        await h.PeerSendsAsync(StackHarness.RequestText("OPTIONS", "z9hG4bKreq2", "Require: Path\r\n", cseq: 2));
        Assert.StartsWith("SIP/2.0 200", h.Local.Take().Single().FirstLine);
    }

    [Fact]
    public async Task RequireWithAnyExtension_Gets420_ByDefault()
    {
        await using var h = new StackHarness();
        var tu = new RecordingTransactionUser { AutoRespond = 200 };
        h.Stack.TransactionUser = tu;
        await h.PeerSendsAsync(StackHarness.RequestText("INVITE", "z9hG4bKreq1", "Require: 100rel\r\n"));
        var sent = h.Local.Take().Select(m => m.Parse()).Cast<SipResponse>().ToList();
        Assert.Equal([100, 420], sent.Select(r => r.StatusCode));
        Assert.Equal(["100rel"], sent[1].Headers.Values(SipHeaderNames.Unsupported));
        Assert.Empty(tu.Requests);
        // Without Require the same kind of request goes up.
        await h.PeerSendsAsync(StackHarness.RequestText("OPTIONS", "z9hG4bKreq2", cseq: 2));
        Assert.Single(tu.Requests);
    }

    [Fact]
    public async Task RequireIsLeftToTheTransactionUser_WhenExtensionsAreNull()
    {
        await using var h = new StackHarness(options: new SipStackOptions { Timers = StackHarness.Timers, SupportedExtensions = null });
        var tu = new RecordingTransactionUser { AutoRespond = 200 };
        h.Stack.TransactionUser = tu;
        await h.PeerSendsAsync(StackHarness.RequestText("OPTIONS", "z9hG4bKreq1", "Require: foo\r\n"));
        Assert.StartsWith("SIP/2.0 200", h.Local.Take().Single().FirstLine);
    }

    [Theory]
    [InlineData("Content-Type: text/plain\r\n", "text/plain")]
    [InlineData("Content-Type: multipart/mixed;boundary=x\r\n", "multipart/mixed")]
    [InlineData("", "no Content-Type")]
    public async Task InviteWithANonSdpBody_Gets415WithAccept(string contentType, string named)
    {
        await using var h = new StackHarness();
        var tu = new RecordingTransactionUser { AutoRespond = 180 };
        h.Stack.TransactionUser = tu;
        var text = StackHarness.RequestText("INVITE", "z9hG4bK415", contentType).Replace("Content-Length: 0\r\n\r\n", "Content-Length: 5\r\n\r\nhello");
        await h.PeerSendsAsync(text);
        var sent = h.Local.Take().Select(m => m.Parse()).Cast<SipResponse>().ToList();
        Assert.Equal([100, 415], sent.Select(r => r.StatusCode));
        Assert.Contains(named, sent[1].ReasonPhrase);
        Assert.Equal("application/sdp", sent[1].Headers[SipHeaderNames.Accept]);
        Assert.NotNull(sent[1].To!.Tag);
        Assert.Empty(tu.Requests);
    }

    [Fact]
    public async Task InviteWithSdp_GoesUp_AndTheAcceptedTypesAreConfigurable()
    {
        await using var h = new StackHarness(options: new SipStackOptions { Timers = StackHarness.Timers, AcceptedSessionBodyTypes = ["application/sdp", "application/vnd.test"] });
        var tu = new RecordingTransactionUser { AutoRespond = 180 };
        h.Stack.TransactionUser = tu;
        await h.PeerSendsAsync(StackHarness.RequestText("INVITE", "z9hG4bKsdp", "Content-Type: Application/SDP\r\n").Replace("Content-Length: 0\r\n\r\n", "Content-Length: 4\r\n\r\nv=0\n"));
        await h.PeerSendsAsync(StackHarness.RequestText("INVITE", "z9hG4bKvnd", "Content-Type: application/vnd.test\r\n", cseq: 2, callId: "call-2").Replace("Content-Length: 0\r\n\r\n", "Content-Length: 2\r\n\r\nok"));
        await h.PeerSendsAsync(StackHarness.RequestText("INVITE", "z9hG4bKgz", "Content-Type: application/sdp\r\nContent-Encoding: gzip\r\n", cseq: 3, callId: "call-3").Replace("Content-Length: 0\r\n\r\n", "Content-Length: 2\r\n\r\nzz"));
        Assert.Equal(2, tu.Requests.Count);
        var last = h.Local.Take().Select(m => m.Parse()).Cast<SipResponse>().Last();
        Assert.Equal(415, last.StatusCode);
        Assert.Equal("identity", last.Headers["Accept-Encoding"]);
        Assert.Throws<ArgumentException>(() => new SipStackOptions { AcceptedSessionBodyTypes = ["sdp"] });
    }

    [Theory]
    [InlineData("Call-ID", "Call-ID")]
    [InlineData("From", "From")]
    [InlineData("CSeq", "CSeq")]
    public async Task RequestMissingAMandatoryHeader_Gets400NamingIt_BuiltFromWhatIsPresent(string header, string named)
    {
        await using var h = new StackHarness();
        var tu = new RecordingTransactionUser { AutoRespond = 200 };
        h.Stack.TransactionUser = tu;
        var lines = StackHarness.RequestText("OPTIONS", "z9hG4bKmiss").Split("\r\n").Where(l => !l.StartsWith(header + ":", StringComparison.Ordinal));
        await h.PeerSendsAsync(string.Join("\r\n", lines));
        var response = (SipResponse)h.Local.Take().Single().Parse();
        Assert.Equal(400, response.StatusCode);
        Assert.Contains(named, response.ReasonPhrase);
        Assert.False(response.Headers.Contains(header));
        Assert.Equal("z9hG4bKmiss", response.TopVia!.Branch);
        Assert.Empty(tu.Requests);
    }

    [Theory]
    [InlineData("OPTIONS  sip:alice@10.0.0.1:5060 SIP/2.0", 400)]
    [InlineData("OPTIONS sip:alice@10.0.0.1:5060", 400)]
    [InlineData("OPT@ONS sip:alice@10.0.0.1:5060 SIP/2.0", 400)]
    [InlineData("OPTIONS sip:alice@10.0.0.1:5060 SIP/7.0", 505)]
    public async Task BadRequestLine_Gets400_AndAnotherVersion505(string requestLine, int status)
    {
        await using var h = new StackHarness();
        var tu = new RecordingTransactionUser { AutoRespond = 200 };
        h.Stack.TransactionUser = tu;
        var text = StackHarness.RequestText("OPTIONS", "z9hG4bKline");
        await h.PeerSendsAsync(requestLine + text[text.IndexOf("\r\n", StringComparison.Ordinal)..]);
        var response = (SipResponse)h.Local.Take().Single().Parse();
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("call-1", response.CallId);
        Assert.Empty(tu.Requests);
    }

    [Fact]
    public async Task BrokenAck_AndRequestWithoutAnyVia_AreNotAnswered()
    {
        await using var h = new StackHarness();
        await h.PeerSendsAsync(StackHarness.RequestText("ACK", "z9hG4bKack").Replace("SIP/2.0\r\n", "SIP/7.0\r\n"));
        var noVia = string.Join("\r\n", StackHarness.RequestText("OPTIONS", "z9hG4bKx").Split("\r\n").Where(l => !l.StartsWith("Via:", StringComparison.Ordinal)));
        await h.PeerSendsAsync(noVia);
        Assert.Empty(h.Local.Take());
    }

    [Fact]
    public async Task Rfc2543Request_WithoutMagicCookie_IsMatchedByItsFields()
    {
        await using var h = new StackHarness();
        var tu = new RecordingTransactionUser();
        h.Stack.TransactionUser = tu;
        static string Old(string method, long cseq = 1, string? extra = null) =>
            StackHarness.RequestText(method, "z9hG4bK", extra, cseq).Replace(";branch=z9hG4bK", ";branch=1234");
        await h.PeerSendsAsync(Old("INVITE"));
        Assert.Equal(["SIP/2.0 100 Trying"], h.Local.Take().Select(m => m.FirstLine));
        Assert.Single(tu.Requests);
        // A retransmission is absorbed by the same transaction (100 Trying again), not a new request.
        await h.PeerSendsAsync(Old("INVITE"));
        Assert.Single(tu.Requests);
        Assert.Equal(["SIP/2.0 100 Trying"], h.Local.Take().Select(m => m.FirstLine));
        // CANCEL finds the INVITE by the same fields (§9.2): 200 for it, 487 for the INVITE.
        await h.PeerSendsAsync(Old("CANCEL"));
        Assert.Equal(["SIP/2.0 200 OK", "SIP/2.0 487 Request Terminated"], h.Local.Take().Select(m => m.FirstLine));
        // A request without any branch is also served; a different CSeq is a new transaction.
        await h.PeerSendsAsync(Old("OPTIONS", 2).Replace(";branch=1234", ""));
        Assert.Equal(2, tu.Requests.Count);
        await tu.Requests[1].SendResponseAsync(tu.Requests[1].CreateResponse(200));
        await h.SettleAsync();
        Assert.Equal(["SIP/2.0 200 OK"], h.Local.Take().Select(m => m.FirstLine));
        await h.PeerSendsAsync(Old("OPTIONS", 2).Replace(";branch=1234", ""));
        Assert.Equal(["SIP/2.0 200 OK"], h.Local.Take().Select(m => m.FirstLine));
        Assert.Equal(2, tu.Requests.Count);
    }

    [Fact]
    public async Task ResponseWithTwoVias_IsDiscarded()
    {
        await using var h = new StackHarness();
        var tx = await h.Stack.StartRequestAsync(h.NewRequest(SipMethods.Options));
        await h.SettleAsync();
        var ok = StackHarness.ResponseTo(h.Local.Take().Single(), 200);
        await h.PeerSendsAsync(ok.Replace("Via: ", "Via: SIP/2.0/UDP 10.9.9.9;branch=z9hG4bKextra\r\nVia: "));
        Assert.False(tx.FinalResponse.IsCompleted);
        await h.PeerSendsAsync(ok);
        Assert.Equal(200, (await tx.FinalResponse).StatusCode);
    }
}
