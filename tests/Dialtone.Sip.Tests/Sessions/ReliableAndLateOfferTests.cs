using Dialtone.Sip.Message;
using Dialtone.Sip.Sessions;

namespace Dialtone.Sip.Tests.Sessions;

/// <summary>100rel/PRACK as caller (RFC 3262) and late offer (INVITE without SDP) both ways, in virtual time.</summary>
public sealed class ReliableAndLateOfferTests : IAsyncLifetime
{
    private readonly SessionHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private async Task<SipRequest> NextRawAsync(string method, int count)
    {
        await _h.UntilAsync(() => _h.RawRequests(method).Count >= count, $"{method} #{count}");
        return _h.RawRequests(method)[count - 1];
    }

    [Fact]
    public async Task A_reliable_183_with_early_media_is_pracked_once_and_its_answer_stands_when_the_2xx_has_none()
    {
        var alice = _h.Party("alice", "10.0.0.1");
        var inviter = alice.Agent.CreateInviter(_h.RawUri);
        inviter.Invite();
        var invite = await NextRawAsync(SipMethods.Invite, 1);
        Assert.Contains("100rel", invite.Headers[SipHeaderNames.Supported]);

        var progress = SessionHarness.AnswerWith(invite, 183, "p", SessionHarness.Sdp("peer-early"), "Require: 100rel", "RSeq: 7");
        await _h.RawSendAsync(alice.EndPoint, progress);
        var prack = await NextRawAsync("PRACK", 1);
        Assert.Equal($"7 {invite.CSeq!.Number} INVITE", prack.Headers["RAck"]);
        Assert.Equal("p", prack.To!.Tag);
        Assert.Equal(invite.CSeq.Number + 1, prack.CSeq!.Number);
        Assert.Equal("sip:peer-p@10.0.0.9:5060", prack.RequestUri.ToString());
        await _h.UntilAsync(() => inviter.State == SessionState.EarlyMedia, "early media");

        // The 183 again (as if the PRACK were late): discarded, no second PRACK, no second answer.
        await _h.RawSendAsync(alice.EndPoint, progress);
        await _h.RawSendAsync(alice.EndPoint, SessionHarness.Answer(prack, 200, null));
        await _h.SettleAsync();
        await Task.Delay(50);
        await _h.SettleAsync();
        Assert.Single(_h.RawRequests("PRACK"));

        // The next reliable 1xx counts on (RSeq 8) and gets its own PRACK.
        await _h.RawSendAsync(alice.EndPoint, SessionHarness.AnswerWith(invite, 180, "p", null, "Require: 100rel", "RSeq: 8"));
        var second = await NextRawAsync("PRACK", 2);
        Assert.Equal($"8 {invite.CSeq.Number} INVITE", second.Headers["RAck"]);
        await _h.RawSendAsync(alice.EndPoint, SessionHarness.Answer(second, 200, null));

        // The 2xx without a body: the answer of the reliable 183 is the answer (RFC 3262 §5).
        await _h.RawSendAsync(alice.EndPoint, SessionHarness.Answer(invite, 200, "p"));
        await _h.AwaitAsync(inviter.Established, "established");
        Assert.Equal(["offer hold=False ice=False", "pranswer o=peer-early 1 1 IN IP4 10.0.0.9", "answer o=peer-early 1 1 IN IP4 10.0.0.9"], alice.Media.Last.Calls.ToArray());

        var bye = inviter.ByeAsync();
        var byeRequest = await NextRawAsync(SipMethods.Bye, 1);
        Assert.Equal(invite.CSeq.Number + 3, byeRequest.CSeq!.Number);
        await _h.RawSendAsync(alice.EndPoint, SessionHarness.Answer(byeRequest, 200, null));
        await _h.AwaitAsync(bye, "bye");
    }

    [Fact]
    public async Task Without_reliable_provisionals_a_183_with_require_100rel_is_plain_early_media_and_no_prack_goes()
    {
        var alice = _h.Party("alice", "10.0.0.1", o => o with { ReliableProvisionals = false });
        var inviter = alice.Agent.CreateInviter(_h.RawUri);
        inviter.Invite();
        var invite = await NextRawAsync(SipMethods.Invite, 1);
        Assert.DoesNotContain("100rel", invite.Headers[SipHeaderNames.Supported]);
        await _h.RawSendAsync(alice.EndPoint, SessionHarness.AnswerWith(invite, 183, "p", SessionHarness.Sdp("peer-early"), "Require: 100rel", "RSeq: 1"));
        await _h.UntilAsync(() => inviter.State == SessionState.EarlyMedia, "early media");
        await _h.RawSendAsync(alice.EndPoint, SessionHarness.Answer(invite, 200, "p", SessionHarness.Sdp("peer")));
        await _h.AwaitAsync(inviter.Established, "established");
        Assert.Empty(_h.RawRequests("PRACK"));
    }

    [Fact]
    public async Task A_late_offer_call_between_two_agents_gets_the_offer_in_the_200_and_the_answer_in_the_ack()
    {
        var alice = _h.Party("alice", "10.0.0.1", o => o with { LateOffer = true });
        var bob = _h.Party("bob", "10.0.0.2");
        var inviter = alice.Agent.CreateInviter(bob.Uri);
        Assert.True(inviter.LateOffer);
        inviter.Invite();
        var invitation = await _h.AwaitAsync(bob.Agent.IncomingSessions.ReadAsync().AsTask(), "bob rings");
        await _h.AwaitAsync(invitation.AcceptAsync(), "bob answers");
        await _h.AwaitAsync(inviter.Established, "alice established");

        var invite = (SipRequest)alice.SentMessages().First(m => m is SipRequest { Method: SipMethods.Invite });
        Assert.True(invite.Body.IsEmpty);
        var ack = (SipRequest)alice.SentMessages().First(m => m is SipRequest { Method: SipMethods.Ack });
        Assert.Contains("o=alice", System.Text.Encoding.UTF8.GetString(ack.Body.Span));
        Assert.Equal(["remote offer o=bob 1 1 IN IP4 127.0.0.1", "answer created"], alice.Media.Last.Calls.ToArray());
        Assert.Equal(["offer hold=False ice=False", "answer o=alice 1 1 IN IP4 127.0.0.1"], bob.Media.Last.Calls.ToArray());

        // The call is an ordinary one from here: hold by re-INVITE works both ways.
        await _h.AwaitAsync(inviter.HoldAsync(), "hold");
        Assert.Equal(SessionState.OnHold, invitation.State);
    }

    [Fact]
    public async Task A_late_offer_answered_in_a_reliable_183_puts_our_answer_in_the_prack_and_none_in_the_ack()
    {
        var alice = _h.Party("alice", "10.0.0.1");
        var inviter = alice.Agent.CreateInviter(_h.RawUri);
        inviter.LateOffer = true;
        inviter.Invite();
        var invite = await NextRawAsync(SipMethods.Invite, 1);
        Assert.True(invite.Body.IsEmpty);

        await _h.RawSendAsync(alice.EndPoint, SessionHarness.AnswerWith(invite, 183, "p", SessionHarness.Sdp("peer-offer"), "Require: 100rel", "RSeq: 1"));
        var prack = await NextRawAsync("PRACK", 1);
        Assert.Contains("o=alice", System.Text.Encoding.UTF8.GetString(prack.Body.Span));
        await _h.RawSendAsync(alice.EndPoint, SessionHarness.Answer(prack, 200, null));
        await _h.UntilAsync(() => inviter.State == SessionState.EarlyMedia, "early media");

        await _h.RawSendAsync(alice.EndPoint, SessionHarness.Answer(invite, 200, "p"));
        await _h.AwaitAsync(inviter.Established, "established");
        var ack = await NextRawAsync(SipMethods.Ack, 1);
        Assert.True(ack.Body.IsEmpty);
        Assert.Equal(["remote offer o=peer-offer 1 1 IN IP4 10.0.0.9", "answer created"], alice.Media.Last.Calls.ToArray());
    }

    [Fact]
    public async Task A_late_offer_whose_2xx_carries_no_offer_is_acked_and_ended_with_bye()
    {
        var alice = _h.Party("alice", "10.0.0.1", o => o with { LateOffer = true });
        var inviter = alice.Agent.CreateInviter(_h.RawUri);
        inviter.Invite();
        var invite = await NextRawAsync(SipMethods.Invite, 1);
        await _h.RawSendAsync(alice.EndPoint, SessionHarness.Answer(invite, 200, "p"));
        var end = await _h.AwaitAsync(inviter.Ended, "ended");
        Assert.Equal(SessionEndReason.Failed, end.Reason);
        Assert.Contains("carried no offer", end.Detail);
        await NextRawAsync(SipMethods.Ack, 1);
        await NextRawAsync(SipMethods.Bye, 1);
    }
}
