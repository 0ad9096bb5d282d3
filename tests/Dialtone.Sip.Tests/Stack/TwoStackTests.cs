using Dialtone.Sip.Dialogs;
using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Tests.Infrastructure;
using Dialtone.Sip.Transactions;
using Dialtone.Sip.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Dialtone.Sip.Tests.Stack;

/// <summary>Two real stacks talking over the loopback network: UAC and UAS, including loss and CANCEL.</summary>
public sealed class TwoStackTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private readonly LoopbackNetwork _network = new();
    private SipStack _alice = null!;
    private SipStack _bob = null!;
    private readonly RecordingTransactionUser _bobTu = new();

    public Task InitializeAsync()
    {
        var options = new SipStackOptions { Timers = StackHarness.Timers };
        _alice = new SipStack([_network.Bind(SipTransportKind.Udp, "10.0.0.1", 5060, _time)], options, timeProvider: _time);
        _bob = new SipStack([_network.Bind(SipTransportKind.Udp, "10.0.0.2", 5060, _time)], options, timeProvider: _time) { TransactionUser = _bobTu };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _alice.DisposeAsync();
        await _bob.DisposeAsync();
    }

    private async Task Settle()
    {
        for (var i = 0; i < 4; i++)
        {
            await _alice.DrainAsync();
            await _bob.DrainAsync();
        }
    }

    private async Task Advance(TimeSpan total)
    {
        for (var t = TimeSpan.Zero; t < total; t += TimeSpan.FromMilliseconds(100))
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            await Settle();
        }
    }

    private static SipRequest Request(string method) => SipRequestFactory.Create(
        method, SipUri.Parse("sip:bob@10.0.0.2"), new SipAddress(SipUri.Parse("sip:alice@10.0.0.1")), new SipAddress(SipUri.Parse("sip:bob@10.0.0.2")));

    [Fact]
    public async Task Options_RoundTrip()
    {
        _bobTu.AutoRespond = 200;
        var pending = _alice.SendRequestAsync(Request(SipMethods.Options));
        await Settle();
        var response = await pending;
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(_bobTu.Requests.Single().LocalTag, response.To!.Tag);
    }

    [Fact]
    public async Task LostRequestAndLostResponse_AreRecoveredByRetransmission()
    {
        _bobTu.AutoRespond = 200;
        var dropped = 0;
        _network.Drop = (_, _, text) => (text.StartsWith("MESSAGE", StringComparison.Ordinal) || text.StartsWith("SIP/2.0 200", StringComparison.Ordinal)) && dropped++ < 2;
        var pending = _alice.SendRequestAsync(Request(SipMethods.Message));
        await Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(200, (await pending).StatusCode);
        Assert.Single(_bobTu.Requests); // the retransmission reached the same server transaction
    }

    [Fact]
    public async Task Invite_CancelledAfterRinging_Ends487_AndIsAcked()
    {
        var invite = await _alice.StartRequestAsync(Request(SipMethods.Invite));
        await Settle();
        var uas = _bobTu.Requests.Single();
        await uas.SendResponseAsync(uas.CreateResponse(180));
        await Settle();

        var cancelling = _alice.CancelAsync(invite);
        await Settle();
        Assert.Equal(200, (await cancelling)!.StatusCode);
        Assert.Equal(487, (await invite.FinalResponse).StatusCode);
        Assert.True(uas.CancellationRequested.IsCancellationRequested);
        Assert.Equal(SipMethods.Ack, (await uas.Acknowledged).Method); // the 487's ACK, inside the transaction
        Assert.Equal(SipTransactionState.Confirmed, uas.State);
    }

    [Fact]
    public async Task Invite_AcceptedThenAcked_ThroughSendAckAsync()
    {
        var invite = await _alice.StartRequestAsync(Request(SipMethods.Invite));
        await Settle();
        var uas = _bobTu.Requests.Single();
        await uas.SendResponseAsync(uas.CreateResponse(200));
        await Settle();
        var ok = await invite.FinalResponse;
        var ack = new SipRequest(SipMethods.Ack, invite.Request.RequestUri)
        {
            From = invite.Request.From, To = ok.To, CallId = ok.CallId, CSeq = new SipCSeq(ok.CSeq!.Number, SipMethods.Ack),
        };
        await _alice.SendAckAsync(ack);
        await Settle();
        Assert.Equal(SipMethods.Ack, (await uas.Acknowledged).Method);
        Assert.Single(_bobTu.Acks);
    }

    [Fact]
    public async Task FullCall_InviteRingingOkAck_ThenByeInTheDialog()
    {
        var inviteRequest = Request(SipMethods.Invite);
        inviteRequest.Headers.Add(SipHeaderNames.Contact, "<sip:alice@10.0.0.1:5060>");
        var invite = await _alice.StartRequestAsync(inviteRequest);
        await Settle();

        // Bob: ring (early dialog), answer, keep his side of the dialog.
        var uas = _bobTu.Requests.Single();
        var ringing = uas.CreateResponse(180);
        ringing.Headers.Add(SipHeaderNames.Contact, "<sip:bob@10.0.0.2:5060>");
        var bobDialog = SipDialog.CreateAsUas(uas.Request, ringing);
        Assert.Equal(SipDialogState.Early, bobDialog.State);
        await uas.SendResponseAsync(ringing);
        var ok = uas.CreateResponse(200);
        ok.Headers.Add(SipHeaderNames.Contact, "<sip:bob@10.0.0.2:5060>");
        await uas.SendResponseAsync(ok);
        bobDialog.Confirm();
        await Settle();

        // Alice: the early dialog from the 180 becomes confirmed with the 200, then ACK.
        Assert.True(invite.Responses.TryRead(out var trying));
        Assert.Equal(100, trying.StatusCode); // the UAS transaction's own 100 Trying
        Assert.True(invite.Responses.TryRead(out var first));
        Assert.Equal(180, first.StatusCode);
        var aliceDialog = SipDialog.CreateAsUac(invite.Request, first);
        Assert.Equal(SipDialogState.Early, aliceDialog.State);
        var final = await invite.FinalResponse;
        aliceDialog.OnCreatingResponse(final);
        Assert.Equal(SipDialogState.Confirmed, aliceDialog.State);
        Assert.Equal(bobDialog.Id, new SipDialogId(aliceDialog.Id.CallId, aliceDialog.Id.RemoteTag, aliceDialog.Id.LocalTag));
        await _alice.SendAckAsync(aliceDialog.CreateAck(final));
        await Settle();
        Assert.Equal(SipMethods.Ack, (await uas.Acknowledged).Method);

        // Alice hangs up: BYE goes to Bob's Contact and matches Bob's dialog.
        var bye = aliceDialog.CreateRequest(SipMethods.Bye);
        Assert.Equal("sip:bob@10.0.0.2:5060", bye.RequestUri.ToString());
        _bobTu.AutoRespond = 200;
        var byeResponse = await _alice.SendRequestAsync(bye);
        Assert.Equal(200, byeResponse.StatusCode);
        var byeAtBob = _bobTu.Requests.Last().Request;
        Assert.Equal(SipMethods.Bye, byeAtBob.Method);
        Assert.True(bobDialog.AcceptRequest(byeAtBob));
        var table = new SipDialogTable();
        table.Add(bobDialog);
        Assert.Same(bobDialog, table.FindForRequest(byeAtBob));
    }
}
