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
