using Dialtone.Sip.Message;
using Dialtone.Sip.Sessions;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Tests.Sessions;

/// <summary>RFC 4028 session timers in virtual time: negotiation, 422 both ways, refreshes by UPDATE and re-INVITE, BYE on expiry.</summary>
public sealed class SessionTimerTests : IAsyncLifetime
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private readonly SessionHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static SessionAgentOptions Timers(SessionAgentOptions o, int interval, bool enabled = true) =>
        o with { SessionTimers = new SessionTimerOptions { Enabled = enabled, Interval = TimeSpan.FromSeconds(interval) } };

    private async Task<SipRequest> NextRawAsync(string method, int count)
    {
        await _h.UntilAsync(() => _h.RawRequests(method).Count >= count, $"{method} #{count}");
        return _h.RawRequests(method)[count - 1];
    }

    private List<string> RawResponses(string statusPrefix)
    {
        lock (_h.RawReceived)
            return _h.RawReceived.Where(t => t.StartsWith("SIP/2.0 " + statusPrefix, StringComparison.Ordinal)).ToList();
    }

    private static string RawInvite(string callId, params string[] headers) =>
        $"INVITE sip:alice@10.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK{callId}\r\nMax-Forwards: 70\r\n"
        + $"From: <sip:peer@10.0.0.9>;tag=pf\r\nTo: <sip:alice@10.0.0.1>\r\nCall-ID: {callId}\r\nCSeq: 1 INVITE\r\nContact: <sip:peer@10.0.0.9:5060>\r\n"
        + "Allow: INVITE, ACK, BYE, UPDATE\r\n"
        + string.Concat(headers.Select(h => h + "\r\n"))
        + $"Content-Type: application/sdp\r\nContent-Length: {SessionHarness.Sdp("peer").Length}\r\n\r\n{SessionHarness.Sdp("peer")}";

    private static string RawInDialog(string method, string callId, int cseq, string toTag, params string[] headers) =>
        $"{method} sip:alice@10.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK{callId}{method}{cseq}\r\nMax-Forwards: 70\r\n"
        + $"From: <sip:peer@10.0.0.9>;tag=pf\r\nTo: <sip:alice@10.0.0.1>;tag={toTag}\r\nCall-ID: {callId}\r\nCSeq: {(method == "ACK" ? 1 : cseq)} {method}\r\nContact: <sip:peer@10.0.0.9:5060>\r\n"
        + string.Concat(headers.Select(h => h + "\r\n"))
        + "Content-Length: 0\r\n\r\n";

    [Fact]
    public async Task The_caller_refreshes_by_update_at_half_the_interval_and_the_callee_keeps_the_session()
    {
        var alice = _h.Party("alice", "10.0.0.1", o => Timers(o, 120));
        var bob = _h.Party("bob", "10.0.0.2");
        var inviter = alice.Agent.CreateInviter(bob.Uri);
        inviter.Invite();
        var invitation = await _h.AwaitAsync(bob.Agent.IncomingSessions.ReadAsync().AsTask(), "bob rings");
        await _h.AwaitAsync(invitation.AcceptAsync(), "bob answers");
        await _h.AwaitAsync(inviter.Established, "alice established");

        var invite = (SipRequest)alice.SentMessages().First(m => m is SipRequest { Method: SipMethods.Invite });
        Assert.Equal("120", invite.Headers[SipHeaderNames.SessionExpires]);
        Assert.Equal("90", invite.Headers["Min-SE"]);
        Assert.Contains("timer", invite.Headers[SipHeaderNames.Supported]);
        var ok = (SipResponse)bob.SentMessages().First(m => m is SipResponse { StatusCode: 200 });
        Assert.Equal("120;refresher=uac", ok.Headers[SipHeaderNames.SessionExpires]);
        Assert.Equal("timer", ok.Headers[SipHeaderNames.Require]);
        Assert.Equal(new SessionTimerInfo(TimeSpan.FromSeconds(120), true), inviter.SessionTimer);
        Assert.Equal(new SessionTimerInfo(TimeSpan.FromSeconds(120), false), invitation.SessionTimer);

        // Each session arms its timer in a work item of its own, queued after Established can already
        // be seen: the clock must not move before both timers started (alice refreshes after 60 s,
        // bob expires the session after 88 s), or they start late.
        var refreshDelay = TimeSpan.FromSeconds(60);
        var expiryDelay = TimeSpan.FromSeconds(88);
        await _h.UntilAsync(() => _h.Time.TimersStarted(refreshDelay) == 1 && _h.Time.TimersStarted(expiryDelay) == 1, "both session timers started");

        int Updates() => alice.SentLines().Count(l => l.StartsWith("UPDATE", StringComparison.Ordinal));
        await _h.AdvanceAsync(TimeSpan.FromSeconds(59.5), Second / 2);
        Assert.Equal(0, Updates());
        await _h.AdvanceAsync(Second);
        await _h.UntilAsync(() => Updates() == 1, "the refresh at 60 s");
        // The refresh restarts both timers: bob's when he answers the UPDATE, alice's when she reads the
        // 200 — which reaches her session through the thread pool (the stack's send path), so settling
        // the executors does not wait for it. Moving the clock first would restart her timer late and
        // put the second refresh after the 120.5 s this test advances to.
        await _h.UntilAsync(() => _h.Time.TimersStarted(refreshDelay) == 2 && _h.Time.TimersStarted(expiryDelay) == 2, "both session timers restarted by the refresh");
        var update = (SipRequest)alice.SentMessages().Last(m => m is SipRequest { Method: SipMethods.Update });
        Assert.Equal("120;refresher=uac", update.Headers[SipHeaderNames.SessionExpires]);
        Assert.True(update.Body.IsEmpty); // a refresh, not an offer: the media is not touched
        Assert.Single(alice.Media.Last.Calls, c => c.StartsWith("offer", StringComparison.Ordinal));

        // Past the callee's first expiry (120 − 32 = 88 s after the answer): the refresh moved it on.
        await _h.AdvanceAsync(TimeSpan.FromSeconds(40), Second / 2);
        Assert.Equal(SessionState.Established, invitation.State);
        Assert.Equal(SessionState.Established, inviter.State);
        Assert.Equal(1, Updates());
        await _h.AdvanceAsync(TimeSpan.FromSeconds(20), Second);
        await _h.UntilAsync(() => Updates() == 2, "the second refresh at 120 s");
        Assert.Equal(SessionState.Established, invitation.State);
    }

    [Fact]
    public async Task With_refresh_by_update_off_the_refresher_re_invites_even_a_peer_that_allows_update()
    {
        var alice = _h.Party("alice", "10.0.0.1", o => o with
        {
            SessionTimers = new SessionTimerOptions { Interval = TimeSpan.FromSeconds(120), RefreshByUpdate = false },
        });
        var bob = _h.Party("bob", "10.0.0.2");
        var inviter = alice.Agent.CreateInviter(bob.Uri);
        inviter.Invite();
        var invitation = await _h.AwaitAsync(bob.Agent.IncomingSessions.ReadAsync().AsTask(), "bob rings");
        await _h.AwaitAsync(invitation.AcceptAsync(), "bob answers");
        await _h.AwaitAsync(inviter.Established, "alice established");
        Assert.Contains("UPDATE", bob.SentMessages().First(m => m is SipResponse { StatusCode: 200 }).Headers[SipHeaderNames.Allow]);

        int Invites() => alice.SentLines().Count(l => l.StartsWith("INVITE", StringComparison.Ordinal));
        await _h.AdvanceAsync(TimeSpan.FromSeconds(59.5), Second / 2);
        Assert.Equal(1, Invites());
        await _h.AdvanceAsync(Second);
        await _h.UntilAsync(() => Invites() == 2, "the refreshing re-INVITE at 60 s");
        var refresh = (SipRequest)alice.SentMessages().Last(m => m is SipRequest { Method: SipMethods.Invite });
        Assert.Equal("120;refresher=uac", refresh.Headers[SipHeaderNames.SessionExpires]);
        Assert.False(refresh.Body.IsEmpty); // an offer, as every re-INVITE
        Assert.DoesNotContain(alice.SentLines(), l => l.StartsWith("UPDATE", StringComparison.Ordinal));

        // Past the callee's first expiry (88 s after the answer): the re-INVITE moved it on.
        await _h.AdvanceAsync(TimeSpan.FromSeconds(40), Second / 2);
        Assert.Equal(SessionState.Established, invitation.State);
        Assert.Equal(SessionState.Established, inviter.State);
        Assert.Equal(new SessionTimerInfo(TimeSpan.FromSeconds(120), false), invitation.SessionTimer);
    }

    [Fact]
    public async Task A_caller_that_is_not_the_refresher_ends_the_session_with_bye_when_no_refresh_comes()
    {
        var alice = _h.Party("alice", "10.0.0.1");
        var inviter = alice.Agent.CreateInviter(_h.RawUri);
        inviter.Invite();
        var invite = await NextRawAsync(SipMethods.Invite, 1);
        await _h.RawSendAsync(alice.EndPoint, SessionHarness.AnswerWith(invite, 200, "p", SessionHarness.Sdp("peer"), "Session-Expires: 90;refresher=uas", "Require: timer"));
        await _h.AwaitAsync(inviter.Established, "established");
        Assert.Equal(new SessionTimerInfo(TimeSpan.FromSeconds(90), false), inviter.SessionTimer);

        // §10: BYE at interval − min(32 s, interval/3) = 90 − 30 = 60 s.
        await _h.AdvanceAsync(TimeSpan.FromSeconds(59.5), Second / 2);
        Assert.Equal(SessionState.Established, inviter.State);
        Assert.Empty(_h.RawRequests(SipMethods.Bye));
        await _h.AdvanceAsync(Second);
        var end = await _h.AwaitAsync(inviter.Ended, "expired");
        Assert.Equal(SessionEndReason.SessionExpired, end.Reason);
        Assert.Contains("did not refresh", end.Detail);
        await NextRawAsync(SipMethods.Bye, 1);
    }

    [Fact]
    public async Task A_422_is_answered_by_asking_again_with_its_min_se_and_the_refresh_then_goes_by_reinvite()
    {
        var alice = _h.Party("alice", "10.0.0.1");
        var inviter = alice.Agent.CreateInviter(_h.RawUri);
        inviter.Invite();
        var first = await NextRawAsync(SipMethods.Invite, 1);
        Assert.Equal("1800", first.Headers[SipHeaderNames.SessionExpires]);
        await _h.RawSendAsync(alice.EndPoint, SessionHarness.AnswerWith(first, 422, "p1", null, "Min-SE: 3600"));

        var second = await NextRawAsync(SipMethods.Invite, 2);
        Assert.Equal(first.CSeq!.Number + 1, second.CSeq!.Number);
        Assert.Equal(first.CallId, second.CallId);
        Assert.Equal("3600", second.Headers[SipHeaderNames.SessionExpires]);
        Assert.Equal("3600", second.Headers["Min-SE"]);
        // No Allow: UPDATE in the answer, so refreshes are re-INVITEs (with an offer, as any re-INVITE).
        await _h.RawSendAsync(alice.EndPoint, SessionHarness.AnswerWith(second, 200, "p2", SessionHarness.Sdp("peer"), "Session-Expires: 3600;refresher=uac", "Allow: INVITE, ACK, BYE"));
        await _h.AwaitAsync(inviter.Established, "established");
        Assert.Equal(new SessionTimerInfo(TimeSpan.FromSeconds(3600), true), inviter.SessionTimer);

        await _h.AdvanceAsync(TimeSpan.FromSeconds(1790), TimeSpan.FromSeconds(10));
        await _h.AdvanceAsync(TimeSpan.FromSeconds(9), Second);
        Assert.Equal(2, _h.RawRequests(SipMethods.Invite).Count);
        await _h.AdvanceAsync(TimeSpan.FromSeconds(2), Second);
        var refresh = await NextRawAsync(SipMethods.Invite, 3);
        Assert.Equal("3600;refresher=uac", refresh.Headers[SipHeaderNames.SessionExpires]);
        Assert.False(refresh.Body.IsEmpty);
        await _h.RawSendAsync(alice.EndPoint, SessionHarness.AnswerWith(refresh, 200, null, SessionHarness.Sdp("peer"), "Session-Expires: 3600;refresher=uac"));
        // Three ACKs: the 422's (by its transaction), the first 200's and the refresh's.
        await _h.UntilAsync(() => _h.RawRequests(SipMethods.Ack).Count == 3, "refresh ACKed");
        Assert.Equal(SessionState.Established, inviter.State);
    }

    [Fact]
    public async Task An_incoming_invite_asking_for_less_than_our_min_se_is_answered_422_with_it()
    {
        var alice = _h.Party("alice", "10.0.0.1");
        await _h.RawSendAsync(alice.EndPoint, RawInvite("small-1", "Supported: timer", "Session-Expires: 30"));
        await _h.UntilAsync(() => RawResponses("422").Count == 1, "422");
        Assert.Contains("Min-SE: 90", RawResponses("422")[0]);
        Assert.Empty(RawResponses("180"));
    }

    [Fact]
    public async Task As_callee_we_expect_the_callers_refreshes_an_update_moves_the_expiry_and_silence_ends_it()
    {
        var alice = _h.Party("alice", "10.0.0.1");
        await _h.RawSendAsync(alice.EndPoint, RawInvite("refresh-1", "Supported: timer", "Session-Expires: 90;refresher=uac"));
        var invitation = await _h.AwaitAsync(alice.Agent.IncomingSessions.ReadAsync().AsTask(), "alice rings");
        var answering = invitation.AcceptAsync();
        await _h.UntilAsync(() => RawResponses("200").Count >= 1, "200");
        var ok = (SipResponse)SipParser.Parse(System.Text.Encoding.UTF8.GetBytes(RawResponses("200")[0]));
        Assert.Equal("90;refresher=uac", ok.Headers[SipHeaderNames.SessionExpires]);
        Assert.Equal("timer", ok.Headers[SipHeaderNames.Require]);
        var tag = ok.To!.Tag!;
        await _h.RawSendAsync(alice.EndPoint, RawInDialog("ACK", "refresh-1", 1, tag));
        await _h.AwaitAsync(answering, "established");
        Assert.Equal(new SessionTimerInfo(TimeSpan.FromSeconds(90), false), invitation.SessionTimer);

        // The caller refreshes at 45 s with an UPDATE without body: 200 with the interval, no media work.
        await _h.AdvanceAsync(TimeSpan.FromSeconds(45), Second);
        await _h.RawSendAsync(alice.EndPoint, RawInDialog("UPDATE", "refresh-1", 2, tag, "Supported: timer", "Session-Expires: 90;refresher=uac"));
        await _h.UntilAsync(() => RawResponses("200").Any(r => r.Contains("CSeq: 2 UPDATE", StringComparison.Ordinal)), "UPDATE answered");
        var refreshed = RawResponses("200").First(r => r.Contains("CSeq: 2 UPDATE", StringComparison.Ordinal));
        Assert.Contains("Session-Expires: 90;refresher=uac", refreshed);
        Assert.DoesNotContain("Content-Type", refreshed);

        // The old expiry (60 s after the answer) passes; the new one is 60 s after the refresh.
        await _h.AdvanceAsync(TimeSpan.FromSeconds(59), Second);
        Assert.Equal(SessionState.Established, invitation.State);
        await _h.AdvanceAsync(TimeSpan.FromSeconds(2), Second);
        var end = await _h.AwaitAsync(invitation.Ended, "expired");
        Assert.Equal(SessionEndReason.SessionExpired, end.Reason);
        await NextRawAsync(SipMethods.Bye, 1);
    }

    [Fact]
    public async Task A_callee_facing_a_caller_without_timers_refreshes_itself_and_keeps_doing_so()
    {
        var alice = _h.Party("alice", "10.0.0.1", o => Timers(o, 1800, enabled: false));
        var bob = _h.Party("bob", "10.0.0.2", o => Timers(o, 100));
        var inviter = alice.Agent.CreateInviter(bob.Uri);
        inviter.Invite();
        var invite = (SipRequest)(await _h.AwaitAsync(Task.Run(async () =>
        {
            while (!alice.SentMessages().Any(m => m is SipRequest { Method: SipMethods.Invite }))
                await Task.Delay(5);
            return alice.SentMessages().First(m => m is SipRequest { Method: SipMethods.Invite });
        }), "INVITE sent"));
        Assert.Null(invite.Headers[SipHeaderNames.SessionExpires]);
        Assert.DoesNotContain("timer", invite.Headers[SipHeaderNames.Supported]);
        var invitation = await _h.AwaitAsync(bob.Agent.IncomingSessions.ReadAsync().AsTask(), "bob rings");
        await _h.AwaitAsync(invitation.AcceptAsync(), "bob answers");
        await _h.AwaitAsync(inviter.Established, "alice established");
        var ok = (SipResponse)bob.SentMessages().First(m => m is SipResponse { StatusCode: 200 });
        Assert.Equal("100;refresher=uas", ok.Headers[SipHeaderNames.SessionExpires]);
        Assert.Null(ok.Headers[SipHeaderNames.Require]);
        Assert.Null(inviter.SessionTimer);

        // As in the caller's case above: bob's refresh timer (50 s) must have started, from the answer
        // and again from the refresh's 200, before the clock moves on.
        var refreshDelay = TimeSpan.FromSeconds(50);
        await _h.UntilAsync(() => _h.Time.TimersStarted(refreshDelay) == 1, "bob's refresh timer started");
        int Updates() => bob.SentLines().Count(l => l.StartsWith("UPDATE", StringComparison.Ordinal));
        await _h.AdvanceAsync(TimeSpan.FromSeconds(51), Second);
        await _h.UntilAsync(() => Updates() == 1, "bob's refresh at 50 s");
        await _h.UntilAsync(() => _h.Time.TimersStarted(refreshDelay) == 2, "bob's refresh timer restarted by the refresh");
        await _h.AdvanceAsync(TimeSpan.FromSeconds(50), Second);
        await _h.UntilAsync(() => Updates() == 2, "bob's second refresh at 100 s");
        Assert.Equal(new SessionTimerInfo(TimeSpan.FromSeconds(100), true), invitation.SessionTimer);
        Assert.Equal(SessionState.Established, inviter.State);
        Assert.Equal(SessionState.Established, invitation.State);
    }
}
