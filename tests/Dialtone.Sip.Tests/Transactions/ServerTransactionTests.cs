using Dialtone.Sip.Message;
using Dialtone.Sip.Tests.Infrastructure;
using Dialtone.Sip.Transactions;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Tests.Transactions;

/// <summary>RFC 3261 §17.2 server state machines (and RFC 6026 Accepted) in virtual time.</summary>
public sealed class ServerTransactionTests
{
    private static async Task<(StackHarness, RecordingTransactionUser)> Create(SipTransportKind kind = SipTransportKind.Udp)
    {
        var h = new StackHarness(kind);
        var tu = new RecordingTransactionUser();
        h.Stack.TransactionUser = tu;
        await Task.CompletedTask;
        return (h, tu);
    }

    [Fact]
    public async Task Invite_Sends100Trying_AndReSendsLastProvisionalOnRetransmission()
    {
        var (h, tu) = await Create();
        await using var _ = h;
        var invite = StackHarness.RequestText("INVITE", "z9hG4bKinv1");
        await h.PeerSendsAsync(invite);
        var tx = Assert.Single(tu.Requests);
        Assert.Equal(SipTransactionState.Proceeding, tx.State);
        var trying = (SipResponse)h.Local.Take().Single().Parse();
        Assert.Equal(100, trying.StatusCode);
        Assert.Null(trying.To!.Tag);

        await tx.SendResponseAsync(tx.CreateResponse(180));
        await h.SettleAsync();
        var ringing = (SipResponse)h.Local.Take().Single().Parse();
        Assert.Equal(tx.LocalTag, ringing.To!.Tag);

        await h.PeerSendsAsync(invite);
        Assert.Equal(180, ((SipResponse)h.Local.Take().Single().Parse()).StatusCode);
        Assert.Single(tu.Requests); // absorbed, not a new request
    }

    [Fact]
    public async Task Invite_FinalError_TimerGRetransmitsUpToT2_TimerHGivesUp()
    {
        var (h, tu) = await Create();
        await using var _ = h;
        await h.PeerSendsAsync(StackHarness.RequestText("INVITE", "z9hG4bKinv2"));
        var tx = tu.Requests.Single();
        h.Local.Take();
        await tx.SendResponseAsync(tx.CreateResponse(486));
        await h.AdvanceAsync(TimeSpan.FromSeconds(33));

        var sent = h.Local.Take();
        Assert.All(sent, m => Assert.StartsWith("SIP/2.0 486", m.FirstLine));
        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5], sent.Select(m => h.Elapsed(m).TotalSeconds));
        var error = await Assert.ThrowsAsync<SipTransactionTimeoutException>(() => tx.Acknowledged);
        Assert.Contains("Timer H", error.Message);
        Assert.Equal(SipTransactionState.Terminated, tx.State);
    }

    [Fact]
    public async Task Invite_AckForFinalError_IsAbsorbed_ThenTimerI()
    {
        var (h, tu) = await Create();
        await using var _ = h;
        await h.PeerSendsAsync(StackHarness.RequestText("INVITE", "z9hG4bKinv3"));
        var tx = tu.Requests.Single();
        await tx.SendResponseAsync(tx.CreateResponse(480));
        await h.SettleAsync();
        h.Local.Take();
        var ack = StackHarness.RequestText("ACK", "z9hG4bKinv3").Replace("To: <sip:alice@10.0.0.1>", $"To: <sip:alice@10.0.0.1>;tag={tx.LocalTag}");
        await h.PeerSendsAsync(ack);
        Assert.Equal(SipMethods.Ack, (await tx.Acknowledged).Method);
        Assert.Equal(SipTransactionState.Confirmed, tx.State);
        Assert.Empty(tu.Acks); // inside the transaction: never reaches the TU
        await h.PeerSendsAsync(ack);
        await h.AdvanceAsync(TimeSpan.FromSeconds(4.9));
        Assert.Equal(SipTransactionState.Confirmed, tx.State);
        Assert.Empty(h.Local.Take()); // no more 480s after the ACK
        await h.AdvanceAsync(TimeSpan.FromSeconds(0.2));
        Assert.Equal(SipTransactionState.Terminated, tx.State);
    }

    [Fact]
    public async Task Invite_2xx_IsRetransmittedUntilTheAckArrives_RetransmittedInviteAbsorbed()
    {
        var (h, tu) = await Create();
        await using var _ = h;
        var invite = StackHarness.RequestText("INVITE", "z9hG4bKinv4");
        await h.PeerSendsAsync(invite);
        var tx = tu.Requests.Single();
        h.Local.Take();
        await tx.SendResponseAsync(tx.CreateResponse(200));
        await h.AdvanceAsync(TimeSpan.FromSeconds(4));
        Assert.Equal(SipTransactionState.Accepted, tx.State);
        Assert.Equal([0, 0.5, 1.5, 3.5], h.Local.Take().Select(m => h.Elapsed(m).TotalSeconds));

        await h.PeerSendsAsync(invite);
        Assert.Empty(h.Local.Take());

        // The 2xx ACK is a new transaction (new branch): the stack matches it by Call-ID and CSeq.
        var ack = StackHarness.RequestText("ACK", "z9hG4bKack4").Replace("To: <sip:alice@10.0.0.1>", $"To: <sip:alice@10.0.0.1>;tag={tx.LocalTag}");
        await h.PeerSendsAsync(ack);
        Assert.Equal("z9hG4bKack4", (await tx.Acknowledged).TopVia!.Branch);
        Assert.Single(tu.Acks);
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(h.Local.Take());
        await h.AdvanceAsync(TimeSpan.FromSeconds(18.1)); // Timer L = 64*T1 from the 2xx
        Assert.Equal(SipTransactionState.Terminated, tx.State);
    }

    [Fact]
    public async Task Invite_2xxWithoutAck_TimerLReportsTimeout()
    {
        var (h, tu) = await Create();
        await using var _ = h;
        await h.PeerSendsAsync(StackHarness.RequestText("INVITE", "z9hG4bKinv5"));
        var tx = tu.Requests.Single();
        await tx.SendResponseAsync(tx.CreateResponse(200));
        await h.AdvanceAsync(TimeSpan.FromSeconds(32.1));
        var error = await Assert.ThrowsAsync<SipTransactionTimeoutException>(() => tx.Acknowledged);
        Assert.Contains("Timer L", error.Message);
    }

    [Fact]
    public async Task Invite_SecondFinalResponse_IsRejected()
    {
        var (h, tu) = await Create();
        await using var _ = h;
        await h.PeerSendsAsync(StackHarness.RequestText("INVITE", "z9hG4bKinv6"));
        var tx = tu.Requests.Single();
        await tx.SendResponseAsync(tx.CreateResponse(486));
        await Assert.ThrowsAsync<InvalidOperationException>(() => tx.SendResponseAsync(tx.CreateResponse(200)));
    }

    [Fact]
    public async Task NonInvite_RetransmissionAbsorbedInTrying_LastResponseReSent_TimerJ()
    {
        var (h, tu) = await Create();
        await using var _ = h;
        var request = StackHarness.RequestText("OPTIONS", "z9hG4bKopt1");
        await h.PeerSendsAsync(request);
        var tx = tu.Requests.Single();
        Assert.Equal(SipTransactionState.Trying, tx.State);
        await h.PeerSendsAsync(request);
        Assert.Empty(h.Local.Take());
        Assert.Single(tu.Requests);

        await tx.SendResponseAsync(tx.CreateResponse(200));
        await h.SettleAsync();
        Assert.Equal(SipTransactionState.Completed, tx.State);
        Assert.Single(h.Local.Take());
        await h.PeerSendsAsync(request);
        Assert.StartsWith("SIP/2.0 200", h.Local.Take().Single().FirstLine);

        await h.AdvanceAsync(TimeSpan.FromSeconds(31.9));
        Assert.Equal(SipTransactionState.Completed, tx.State);
        await h.AdvanceAsync(TimeSpan.FromSeconds(0.2));
        Assert.Equal(SipTransactionState.Terminated, tx.State);
        // After Timer J the same request is new again.
        await h.PeerSendsAsync(request);
        Assert.Equal(2, tu.Requests.Count);
    }

    [Fact]
    public async Task NonInvite_Provisional_ThenRetransmissionReSendsIt()
    {
        var (h, tu) = await Create();
        await using var _ = h;
        var request = StackHarness.RequestText("MESSAGE", "z9hG4bKmsg1");
        await h.PeerSendsAsync(request);
        var tx = tu.Requests.Single();
        await tx.SendResponseAsync(tx.CreateResponse(100));
        await h.SettleAsync();
        Assert.Equal(SipTransactionState.Proceeding, tx.State);
        h.Local.Take();
        await h.PeerSendsAsync(request);
        Assert.StartsWith("SIP/2.0 100", h.Local.Take().Single().FirstLine);
    }

    [Fact]
    public async Task NonInviteOverTcp_TimerJIsZero()
    {
        var (h, tu) = await Create(SipTransportKind.Tcp);
        await using var _ = h;
        await h.PeerSendsAsync(StackHarness.RequestText("OPTIONS", "z9hG4bKopt2").Replace("SIP/2.0/UDP", "SIP/2.0/TCP"));
        var tx = tu.Requests.Single();
        await tx.SendResponseAsync(tx.CreateResponse(200));
        await h.SettleAsync();
        Assert.Equal(SipTransactionState.Terminated, tx.State);
    }

    [Fact]
    public async Task Cancel_MatchesInvite_Answers200AndTerminatesInviteWith487()
    {
        var (h, tu) = await Create();
        await using var _ = h;
        await h.PeerSendsAsync(StackHarness.RequestText("INVITE", "z9hG4bKinv7"));
        var tx = tu.Requests.Single();
        var cancelled = false;
        tx.CancellationRequested.Register(() => cancelled = true);
        await tx.SendResponseAsync(tx.CreateResponse(180));
        await h.SettleAsync();
        h.Local.Take();

        await h.PeerSendsAsync(StackHarness.RequestText("CANCEL", "z9hG4bKinv7"));
        Assert.True(cancelled);
        var sent = h.Local.Take().Select(m => (SipResponse)m.Parse()).ToList();
        Assert.Equal([(200, SipMethods.Cancel), (487, SipMethods.Invite)], sent.Select(r => (r.StatusCode, r.CSeq!.Method)));
        Assert.All(sent, r => Assert.Equal(tx.LocalTag, r.To!.Tag));
        Assert.Equal(SipTransactionState.Completed, tx.State);
        Assert.Single(tu.Requests); // CANCEL is not handed to the TU
    }

    [Fact]
    public async Task Cancel_WithoutMatchingInvite_Gets481()
    {
        var (h, _) = await Create();
        await using var __ = h;
        await h.PeerSendsAsync(StackHarness.RequestText("CANCEL", "z9hG4bKnothing"));
        Assert.StartsWith("SIP/2.0 481", h.Local.Take().Single().FirstLine);
    }

    [Fact]
    public async Task Cancel_AfterFinalResponse_Gets200ButChangesNothing()
    {
        var (h, tu) = await Create();
        await using var _ = h;
        await h.PeerSendsAsync(StackHarness.RequestText("INVITE", "z9hG4bKinv8"));
        var tx = tu.Requests.Single();
        await tx.SendResponseAsync(tx.CreateResponse(200));
        await h.SettleAsync();
        h.Local.Take();
        await h.PeerSendsAsync(StackHarness.RequestText("CANCEL", "z9hG4bKinv8"));
        Assert.Equal(["SIP/2.0 200 OK"], h.Local.Take().Select(m => m.FirstLine));
        Assert.False(tx.CancellationRequested.IsCancellationRequested);
        Assert.Equal(SipTransactionState.Accepted, tx.State);
    }
}
