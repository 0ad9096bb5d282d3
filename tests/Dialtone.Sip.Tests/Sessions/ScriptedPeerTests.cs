using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sessions;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Tests.Sessions;

/// <summary>
/// The outgoing session against a peer whose every message the test writes by hand: forked
/// responses, digest challenges in and out of the dialog, redirects.
/// </summary>
public sealed class ScriptedPeerTests : IAsyncLifetime
{
    private const string Challenge = "Proxy-Authenticate: Digest realm=\"test\", nonce=\"n1\", algorithm=MD5";
    private readonly SessionHarness _h = new();
    private SessionParty _alice = null!;

    public Task InitializeAsync()
    {
        _alice = _h.Party("alice", "10.0.0.1", o => o with { Digest = new SipDigestClient(new SipCredentials("alice", "secret")) });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private SipEndPoint Alice => _alice.EndPoint;

    private async Task<SipRequest> NextInviteAsync(int count)
    {
        await _h.UntilAsync(() => _h.RawRequests(SipMethods.Invite).Count >= count, $"INVITE #{count}");
        return _h.RawRequests(SipMethods.Invite)[count - 1];
    }

    [Fact]
    public async Task Forked_early_dialogs_are_all_tracked_the_first_2xx_wins_and_a_later_one_is_acked_and_byed()
    {
        var inviter = _alice.Agent.CreateInviter(_h.RawUri);
        inviter.Invite();
        var invite = await NextInviteAsync(1);

        // Two forks ring; the second sends early media; then both answer.
        await _h.RawSendAsync(Alice, SessionHarness.Answer(invite, 180, "forkA"));
        await _h.RawSendAsync(Alice, SessionHarness.Answer(invite, 183, "forkB", SessionHarness.Sdp("forkB-early")));
        await _h.UntilAsync(() => inviter.State == SessionState.EarlyMedia, "early media from fork B");
        await _h.RawSendAsync(Alice, SessionHarness.Answer(invite, 200, "forkB", SessionHarness.Sdp("forkB")));
        await _h.AwaitAsync(inviter.Established, "established with fork B");
        await _h.RawSendAsync(Alice, SessionHarness.Answer(invite, 200, "forkA", SessionHarness.Sdp("forkA")));

        await _h.UntilAsync(() => _h.RawRequests(SipMethods.Bye).Count == 1, "the losing fork is ended");
        var acks = _h.RawRequests(SipMethods.Ack);
        Assert.Equal(["forkB", "forkA"], acks.Select(a => a.To!.Tag!).ToArray());
        Assert.Equal("sip:peer-forkA@10.0.0.9:5060", acks[1].RequestUri.ToString());
        var bye = _h.RawRequests(SipMethods.Bye)[0];
        Assert.Equal("forkA", bye.To!.Tag);
        Assert.Equal("sip:peer-forkA@10.0.0.9:5060", bye.RequestUri.ToString());
        Assert.Equal(SessionState.Established, inviter.State);
        Assert.Equal(["offer hold=False ice=False", "pranswer o=forkB-early 1 1 IN IP4 10.0.0.9", "answer o=forkB 1 1 IN IP4 10.0.0.9"], _alice.Media.Last.Calls.ToArray());

        // RFC 6026: a retransmitted 2xx of the winning fork is ACKed again, no second BYE.
        await _h.RawSendAsync(Alice, SessionHarness.Answer(invite, 200, "forkB", SessionHarness.Sdp("forkB")));
        await _h.UntilAsync(() => _h.RawRequests(SipMethods.Ack).Count == 3, "re-ACK");
        Assert.Single(_h.RawRequests(SipMethods.Bye));
    }

    [Fact]
    public async Task An_invite_challenged_407_is_retried_once_with_credentials_and_the_next_cseq()
    {
        var inviter = _alice.Agent.CreateInviter(_h.RawUri);
        inviter.Invite();
        var first = await NextInviteAsync(1);
        await _h.RawSendAsync(Alice, SessionHarness.Answer(first, 407, "p1", extraHeader: Challenge));

        var second = await NextInviteAsync(2);
        Assert.Equal(first.CSeq!.Number + 1, second.CSeq!.Number);
        Assert.Equal(first.CallId, second.CallId);
        Assert.Equal(first.From!.Tag, second.From!.Tag);
        Assert.Contains("username=\"alice\"", second.Headers[SipHeaderNames.ProxyAuthorization]);
        Assert.DoesNotContain("secret", second.ToString());
        await _h.RawSendAsync(Alice, SessionHarness.Answer(second, 200, "p2", SessionHarness.Sdp("peer")));
        await _h.AwaitAsync(inviter.Established, "established");

        // A second challenge of the same realm after answering it means wrong credentials.
        var again = _alice.Agent.CreateInviter(_h.RawUri);
        again.Invite();
        var a1 = await NextInviteAsync(3);
        await _h.RawSendAsync(Alice, SessionHarness.Answer(a1, 407, "q1", extraHeader: Challenge));
        var a2 = await NextInviteAsync(4);
        await _h.RawSendAsync(Alice, SessionHarness.Answer(a2, 407, "q2", extraHeader: Challenge));
        var end = await _h.AwaitAsync(again.Ended, "refused credentials");
        Assert.Equal(SessionEndReason.Failed, end.Reason);
        Assert.Equal(407, end.StatusCode);
    }

    [Fact]
    public async Task An_in_dialog_request_challenged_401_is_retried_and_the_dialog_counts_on_from_its_cseq()
    {
        var inviter = _alice.Agent.CreateInviter(_h.RawUri);
        inviter.Invite();
        var invite = await NextInviteAsync(1);
        await _h.RawSendAsync(Alice, SessionHarness.Answer(invite, 200, "p", SessionHarness.Sdp("peer")));
        await _h.AwaitAsync(inviter.Established, "established");

        var hold = inviter.HoldAsync();
        var reinvite = await NextInviteAsync(2);
        await _h.RawSendAsync(Alice, SessionHarness.Answer(reinvite, 401, null, extraHeader: "WWW-Authenticate: Digest realm=\"test\", nonce=\"n2\", qop=\"auth\""));
        var retried = await NextInviteAsync(3);
        Assert.Equal(reinvite.CSeq!.Number + 1, retried.CSeq!.Number);
        Assert.Contains("Digest username=\"alice\"", retried.Headers[SipHeaderNames.Authorization]);
        await _h.RawSendAsync(Alice, SessionHarness.Answer(retried, 200, null, SessionHarness.Sdp("peer2")));
        await _h.AwaitAsync(hold, "hold done");
        var ack = _h.RawRequests(SipMethods.Ack).Last();
        Assert.Equal(retried.CSeq.Number, ack.CSeq!.Number);

        var bye = inviter.ByeAsync();
        await _h.UntilAsync(() => _h.RawRequests(SipMethods.Bye).Count == 1, "BYE");
        Assert.Equal(retried.CSeq.Number + 1, _h.RawRequests(SipMethods.Bye)[0].CSeq!.Number);
        await _h.RawSendAsync(Alice, SessionHarness.Answer(_h.RawRequests(SipMethods.Bye)[0], 200, null));
        await _h.AwaitAsync(bye, "bye done");
    }

    [Fact]
    public async Task A_3xx_redirects_the_invite_to_its_contact_with_the_same_dialog_identifiers()
    {
        var inviter = _alice.Agent.CreateInviter(_h.RawUri);
        inviter.Invite();
        var first = await NextInviteAsync(1);
        await _h.RawSendAsync(Alice, SessionHarness.Answer(first, 302, "r", extraHeader: "Contact: <sip:elsewhere@10.0.0.9:5060>"));
        var second = await NextInviteAsync(2);
        Assert.Equal("sip:elsewhere@10.0.0.9:5060", second.RequestUri.ToString());
        Assert.Equal(first.CSeq!.Number + 1, second.CSeq!.Number);
        await _h.RawSendAsync(Alice, SessionHarness.Answer(second, 486, "busy"));
        var end = await _h.AwaitAsync(inviter.Ended, "rejected");
        Assert.Equal(SessionEndReason.Rejected, end.Reason);
        Assert.Equal(486, end.StatusCode);
    }

    [Fact]
    public async Task An_incoming_offer_of_another_body_type_is_refused_415_with_accept()
    {
        var invite = "INVITE sip:alice@10.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKbody1\r\nMax-Forwards: 70\r\n"
            + "From: <sip:peer@10.0.0.9>;tag=f1\r\nTo: <sip:alice@10.0.0.1>\r\nCall-ID: body-1\r\nCSeq: 1 INVITE\r\nContact: <sip:peer@10.0.0.9:5060>\r\n"
            + "Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
        await _h.RawSendAsync(Alice, invite);
        await _h.UntilAsync(() => { lock (_h.RawReceived) return _h.RawReceived.Any(t => t.StartsWith("SIP/2.0 415", StringComparison.Ordinal)); }, "415");
        string response;
        lock (_h.RawReceived)
            response = _h.RawReceived.First(t => t.StartsWith("SIP/2.0 415", StringComparison.Ordinal));
        Assert.Contains("Accept: application/sdp", response);
    }
}
