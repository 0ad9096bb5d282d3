using Dialtone.Sip.Message;
using Dialtone.Sip.Tests.Infrastructure;
using Dialtone.Sip.Transactions;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Tests.Transactions;

/// <summary>RFC 3261 §17.1 client state machines in virtual time (T1 = 500 ms, T2 = 4 s, T4 = 5 s).</summary>
public sealed class ClientTransactionTests
{
    private static double[] Seconds(StackHarness h, IEnumerable<SentMessage> sent) =>
        sent.Select(m => h.Elapsed(m).TotalSeconds).ToArray();

    [Fact]
    public async Task InviteOverUdp_RetransmitsWithDoublingIntervals_ThenTimerBTimesOut()
    {
        await using var h = new StackHarness();
        var tx = await h.Stack.StartRequestAsync(h.NewRequest(SipMethods.Invite));
        await h.SettleAsync();
        Assert.Equal(SipTransactionState.Calling, tx.State);

        await h.AdvanceAsync(TimeSpan.FromSeconds(33));

        var sent = h.Local.Take();
        Assert.All(sent, m => Assert.StartsWith("INVITE ", m.FirstLine));
        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5], Seconds(h, sent));
        var error = await Assert.ThrowsAsync<SipTransactionTimeoutException>(() => tx.FinalResponse);
        Assert.Contains("Timer B", error.Message);
        Assert.Equal(SipTransactionState.Terminated, tx.State);
    }

    [Fact]
    public async Task InviteOverTcp_NeverRetransmits_ButStillTimesOut()
    {
        await using var h = new StackHarness(SipTransportKind.Tcp);
        var tx = await h.Stack.StartRequestAsync(h.NewRequest(SipMethods.Invite), new Dialtone.Sip.Stack.SipSendOptions(h.PeerEndPoint));
        await h.AdvanceAsync(TimeSpan.FromSeconds(31.9));
        Assert.Single(h.Local.Take());
        Assert.False(tx.FinalResponse.IsCompleted);
        await h.AdvanceAsync(TimeSpan.FromSeconds(0.2));
        await Assert.ThrowsAsync<SipTransactionTimeoutException>(() => tx.FinalResponse);
    }

    [Fact]
    public async Task Invite_ProvisionalStopsRetransmission_FinalErrorIsAckedInsideTransaction()
    {
        await using var h = new StackHarness();
        var tx = await h.Stack.StartRequestAsync(h.NewRequest(SipMethods.Invite));
        await h.SettleAsync();
        var invite = h.Local.Take().Single();
        await h.PeerSendsAsync(StackHarness.ResponseTo(invite, 180));
        Assert.Equal(SipTransactionState.Proceeding, tx.State);
        await h.AdvanceAsync(TimeSpan.FromSeconds(40));
        Assert.Empty(h.Local.Take()); // no retransmission in Proceeding, and no Timer B

        var busy = StackHarness.ResponseTo(invite, 486);
        await h.PeerSendsAsync(busy);
        var final = await tx.FinalResponse;
        Assert.Equal(486, final.StatusCode);
        Assert.Equal(SipTransactionState.Completed, tx.State);
        var ack = (SipRequest)h.Local.Take().Single().Parse();
        Assert.Equal(SipMethods.Ack, ack.Method);
        Assert.Equal(tx.Branch, ack.TopVia!.Branch);
        Assert.Equal(new SipCSeq(tx.Request.CSeq!.Number, SipMethods.Ack), ack.CSeq);
        Assert.Equal("peer1", ack.To!.Tag);
        Assert.Equal(tx.Request.From, ack.From);

        // The 486 again: the ACK was lost, so it is re-sent and the TU hears nothing new.
        await h.PeerSendsAsync(busy);
        Assert.Equal(SipMethods.Ack, ((SipRequest)h.Local.Take().Single().Parse()).Method);
        var seen = new List<int>();
        while (tx.Responses.TryRead(out var r))
            seen.Add(r.StatusCode);
        Assert.Equal([180, 486], seen);

        await h.AdvanceAsync(TimeSpan.FromSeconds(31.9));
        Assert.Equal(SipTransactionState.Completed, tx.State);
        await h.AdvanceAsync(TimeSpan.FromSeconds(0.2));
        Assert.Equal(SipTransactionState.Terminated, tx.State); // Timer D
    }

    [Fact]
    public async Task InviteOverTcp_TimerDIsZero()
    {
        await using var h = new StackHarness(SipTransportKind.Tcp);
        var tx = await h.Stack.StartRequestAsync(h.NewRequest(SipMethods.Invite), new Dialtone.Sip.Stack.SipSendOptions(h.PeerEndPoint));
        await h.SettleAsync();
        await h.PeerSendsAsync(StackHarness.ResponseTo(h.Local.Take().Single(), 603));
        Assert.Equal(SipTransactionState.Terminated, tx.State);
    }

    [Fact]
    public async Task Invite_2xxEntersAccepted_FurtherSuccessGoesToTheTransactionUser_ThenTimerM()
    {
        await using var h = new StackHarness();
        var tu = new RecordingTransactionUser();
        h.Stack.TransactionUser = tu;
        var tx = await h.Stack.StartRequestAsync(h.NewRequest(SipMethods.Invite));
        await h.SettleAsync();
        var invite = h.Local.Take().Single();
        var ok = StackHarness.ResponseTo(invite, 200);
        await h.PeerSendsAsync(ok);
        Assert.Equal(200, (await tx.FinalResponse).StatusCode);
        Assert.Equal(SipTransactionState.Accepted, tx.State);
        Assert.Empty(h.Local.Take()); // the transaction does not ACK a 2xx: the dialog does

        await h.PeerSendsAsync(ok);
        var statuses = new List<int>();
        while (tx.Responses.TryRead(out var r))
            statuses.Add(r.StatusCode);
        Assert.Equal([200, 200], statuses);

        await h.AdvanceAsync(TimeSpan.FromSeconds(32.1)); // Timer M = 64*T1
        Assert.Equal(SipTransactionState.Terminated, tx.State);
        Assert.True(tx.Responses.Completion.IsCompleted);
        await h.PeerSendsAsync(ok);
        Assert.Single(tu.StrayResponses);
    }

    [Fact]
    public async Task NonInviteOverUdp_TimerECapsAtT2_TimerFTimesOut()
    {
        await using var h = new StackHarness();
        var tx = await h.Stack.StartRequestAsync(h.NewRequest(SipMethods.Options));
        await h.AdvanceAsync(TimeSpan.FromSeconds(33));
        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5], Seconds(h, h.Local.Take()));
        var error = await Assert.ThrowsAsync<SipTransactionTimeoutException>(() => tx.FinalResponse);
        Assert.Contains("Timer F", error.Message);
    }

    [Fact]
    public async Task NonInvite_InProceeding_RetransmitsEveryT2()
    {
        await using var h = new StackHarness();
        var tx = await h.Stack.StartRequestAsync(h.NewRequest(SipMethods.Register));
        await h.SettleAsync();
        var request = h.Local.Take().Single();
        await h.PeerSendsAsync(StackHarness.ResponseTo(request, 100, toTag: null));
        Assert.Equal(SipTransactionState.Proceeding, tx.State);
        await h.AdvanceAsync(TimeSpan.FromSeconds(13));
        // Timer E was set at T1 before the 100; then each firing in Proceeding waits T2.
        Assert.Equal([0.5, 4.5, 8.5, 12.5], Seconds(h, h.Local.Take()));
    }

    [Fact]
    public async Task NonInvite_FinalResponse_CompletesThenTimerKTerminates_RetransmissionsAbsorbed()
    {
        await using var h = new StackHarness();
        var tx = await h.Stack.StartRequestAsync(h.NewRequest(SipMethods.Message));
        await h.SettleAsync();
        var ok = StackHarness.ResponseTo(h.Local.Take().Single(), 202);
        await h.PeerSendsAsync(ok);
        Assert.Equal(202, (await tx.FinalResponse).StatusCode);
        Assert.Equal(SipTransactionState.Completed, tx.State);
        await h.PeerSendsAsync(ok);
        Assert.Equal(1, tx.Responses.Count);
        await h.AdvanceAsync(TimeSpan.FromSeconds(5.1));
        Assert.Equal(SipTransactionState.Terminated, tx.State);
        Assert.Empty(h.Local.Take());
    }

    [Fact]
    public async Task TransportFailure_FailsTheTransaction()
    {
        await using var h = new StackHarness();
        h.Local.FailSends = new SipTransportException("network unreachable");
        var tx = await h.Stack.StartRequestAsync(h.NewRequest(SipMethods.Options));
        var error = await Assert.ThrowsAsync<SipTransportException>(() => tx.FinalResponse);
        Assert.Contains("unreachable", error.Message);
        await h.SettleAsync();
        Assert.Equal(SipTransactionState.Terminated, tx.State);
    }

    [Fact]
    public async Task Timers_FollowConfiguredT1()
    {
        await using var h = new StackHarness(options: new Dialtone.Sip.Stack.SipStackOptions { Timers = new SipTimerOptions { T1 = TimeSpan.FromMilliseconds(200), T2 = TimeSpan.FromMilliseconds(800) } });
        var tx = await h.Stack.StartRequestAsync(h.NewRequest(SipMethods.Options));
        await h.AdvanceAsync(TimeSpan.FromSeconds(12.9)); // 64*T1 = 12.8 s
        Assert.Equal([0, 0.2, 0.6, 1.4, 2.2, 3.0, 3.8, 4.6, 5.4, 6.2, 7.0, 7.8, 8.6, 9.4, 10.2, 11.0, 11.8, 12.6], Seconds(h, h.Local.Take()).Select(s => Math.Round(s, 1)));
        await Assert.ThrowsAsync<SipTransactionTimeoutException>(() => tx.FinalResponse);
    }

    [Fact]
    public void TimerOptions_RejectNonPositive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipTimerOptions { T1 = TimeSpan.Zero });
}
