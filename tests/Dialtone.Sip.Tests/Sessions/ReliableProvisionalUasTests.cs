using System.Text;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sessions;

namespace Dialtone.Sip.Tests.Sessions;

/// <summary>100rel/PRACK as callee (RFC 3262 §3, §5) in virtual time: reliable 18x, their retransmission, PRACK matching, late offer.</summary>
public sealed class ReliableProvisionalUasTests : IAsyncLifetime
{
    private readonly SessionHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static string Invite(string callId, string extraHeaders, bool withOffer = true)
    {
        var body = withOffer ? SessionHarness.Sdp("carol") : "";
        return $"INVITE sip:bob@10.0.0.2:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK{callId}\r\nMax-Forwards: 70\r\n"
            + $"From: <sip:carol@10.0.0.9>;tag=cf\r\nTo: <sip:bob@10.0.0.2>\r\nCall-ID: {callId}\r\nCSeq: 10 INVITE\r\nContact: <sip:carol@10.0.0.9:5060>\r\n"
            + extraHeaders
            + (withOffer ? "Content-Type: application/sdp\r\n" : "") + $"Content-Length: {body.Length}\r\n\r\n{body}";
    }

    private static string Prack(string callId, string toTag, long cseq, string rack, string? body = null, string branch = "pr")
    {
        body ??= "";
        return $"PRACK sip:bob@10.0.0.2:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK{branch}{cseq}\r\nMax-Forwards: 70\r\n"
            + $"From: <sip:carol@10.0.0.9>;tag=cf\r\nTo: <sip:bob@10.0.0.2>;tag={toTag}\r\nCall-ID: {callId}\r\nCSeq: {cseq} PRACK\r\nRAck: {rack}\r\n"
            + (body.Length > 0 ? "Content-Type: application/sdp\r\n" : "") + $"Content-Length: {body.Length}\r\n\r\n{body}";
    }

    private static string Ack(string callId, string toTag, string? body = null)
    {
        body ??= "";
        return $"ACK sip:bob@10.0.0.2:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKack{callId}\r\nMax-Forwards: 70\r\n"
            + $"From: <sip:carol@10.0.0.9>;tag=cf\r\nTo: <sip:bob@10.0.0.2>;tag={toTag}\r\nCall-ID: {callId}\r\nCSeq: 10 ACK\r\n"
            + (body.Length > 0 ? "Content-Type: application/sdp\r\n" : "") + $"Content-Length: {body.Length}\r\n\r\n{body}";
    }

    /// <summary>The responses the scripted caller received, parsed, whose status line starts with <paramref name="status"/> (and CSeq method).</summary>
    private List<SipResponse> Responses(string status, string method = SipMethods.Invite)
    {
        lock (_h.RawReceived)
        {
            return _h.RawReceived.Where(t => t.StartsWith("SIP/2.0 " + status, StringComparison.Ordinal))
                .Select(t => (SipResponse)SipParser.Parse(Encoding.UTF8.GetBytes(t)))
                .Where(r => r.CSeq!.Method == method).ToList();
        }
    }

    [Fact]
    public async Task Between_two_agents_the_183_goes_reliably_is_pracked_and_the_200_carries_no_second_answer()
    {
        var alice = _h.Party("alice", "10.0.0.1");
        var bob = _h.Party("bob", "10.0.0.2");
        var inviter = alice.Agent.CreateInviter(bob.Uri);
        inviter.Invite();
        var invitation = await _h.AwaitAsync(bob.Agent.IncomingSessions.ReadAsync().AsTask(), "bob rings");
        await _h.AwaitAsync(invitation.ProgressAsync(), "early media");
        await _h.UntilAsync(() => inviter.State == SessionState.EarlyMedia, "alice hears early media");
        await _h.UntilAsync(() => bob.SentLines().Any(l => l.StartsWith("SIP/2.0 200", StringComparison.Ordinal)), "PRACK answered");
        await _h.AwaitAsync(invitation.AcceptAsync(), "bob answers");
        await _h.AwaitAsync(inviter.Established, "alice established");

        var sent = bob.SentMessages().OfType<SipResponse>().ToList();
        var ringing = sent.Single(r => r.StatusCode == 180);
        Assert.Null(ringing.Headers[SipHeaderNames.Require]); // no SDP, caller only supports 100rel: plain 180
        var progress = sent.Single(r => r.StatusCode == 183); // sent once: the PRACK came before any retransmission
        Assert.Equal("100rel", progress.Headers[SipHeaderNames.Require]);
        Assert.NotNull(progress.Headers["RSeq"]);
        var prack = alice.SentMessages().OfType<SipRequest>().Single(r => r.Method == SipMethods.Prack);
        Assert.Equal($"{progress.Headers["RSeq"]} {progress.CSeq!.Number} INVITE", prack.Headers["RAck"]);
        Assert.True(sent.Single(r => r.StatusCode == 200 && r.CSeq!.Method == SipMethods.Prack) is not null);
        var ok = sent.Single(r => r.StatusCode == 200 && r.CSeq!.Method == SipMethods.Invite);
        Assert.True(ok.Body.IsEmpty); // the answer went in the PRACKed 183 (RFC 3262 §5)
        Assert.Contains("PRACK", ok.Headers[SipHeaderNames.Allow]);
        Assert.Contains("100rel", ok.Headers[SipHeaderNames.Supported]);
        Assert.Equal(["offer hold=False ice=False", "pranswer o=bob 1 1 IN IP4 127.0.0.1", "answer o=bob 1 1 IN IP4 127.0.0.1"], alice.Media.Last.Calls.ToArray());
        Assert.Equal(["remote offer o=alice 1 1 IN IP4 127.0.0.1", "answer created"], bob.Media.Last.Calls.ToArray());

        // The dialog counts on from the PRACK's CSeq: hold and hang up work as usual.
        await _h.AwaitAsync(inviter.HoldAsync(), "hold");
        Assert.Equal(SessionState.OnHold, invitation.State);
        await _h.AwaitAsync(invitation.ByeAsync(), "bob hangs up");
        await _h.AwaitAsync(inviter.Ended, "alice ended");
    }

    [Fact]
    public async Task A_reliable_180_is_resent_at_t1_doubling_and_without_prack_the_invite_is_refused_after_64_t1()
    {
        var bob = _h.Party("bob", "10.0.0.2");
        await _h.RawSendAsync(bob.EndPoint, Invite("rel-1", "Require: 100rel\r\n"));
        var invitation = await _h.AwaitAsync(bob.Agent.IncomingSessions.ReadAsync().AsTask(), "bob rings");
        var first = Responses("180").Single();
        Assert.Equal("100rel", first.Headers[SipHeaderNames.Require]);
        Assert.NotNull(first.To!.Tag);

        // T1 = 500 ms: re-sent at 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s; none just before each.
        var expected = new[] { 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 };
        var elapsed = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            await _h.AdvanceAsync(TimeSpan.FromSeconds(expected[i] - elapsed - 0.1));
            Assert.Equal(i + 1, Responses("180").Count);
            await _h.AdvanceAsync(TimeSpan.FromSeconds(0.1));
            await _h.UntilAsync(() => Responses("180").Count == i + 2, $"retransmission {i + 1}");
            elapsed = expected[i];
        }
        Assert.All(Responses("180"), r => Assert.Equal(first.Headers["RSeq"], r.Headers["RSeq"]));
        Assert.Empty(Responses("500"));

        // 64·T1 = 32 s after the first: 500, and the call is over.
        await _h.AdvanceAsync(TimeSpan.FromSeconds(0.6));
        await _h.UntilAsync(() => Responses("500").Count == 1, "500 after 64*T1");
        Assert.Equal(7, Responses("180").Count);
        var end = await _h.AwaitAsync(invitation.Ended, "ended");
        Assert.Equal(SessionEndReason.Failed, end.Reason);
        Assert.Contains("PRACK", end.Detail);
    }

    [Fact]
    public async Task Pracks_are_matched_by_rack_one_reliable_response_at_a_time_and_the_200_waits_for_the_prack_of_the_183()
    {
        var bob = _h.Party("bob", "10.0.0.2");
        await _h.RawSendAsync(bob.EndPoint, Invite("rel-2", "Require: 100rel\r\nSupported: 100rel, timer\r\n"));
        var invitation = await _h.AwaitAsync(bob.Agent.IncomingSessions.ReadAsync().AsTask(), "bob rings");
        var ringing = Responses("180").Single();
        var tag = ringing.To!.Tag!;
        var rseq = long.Parse(ringing.Headers["RSeq"]!, System.Globalization.CultureInfo.InvariantCulture);

        // Wrong RSeq, wrong CSeq, unknown dialog: 481, and the 180 is still unacknowledged.
        await _h.RawSendAsync(bob.EndPoint, Prack("rel-2", tag, 11, $"{rseq + 5} 10 INVITE", branch: "a"));
        await _h.RawSendAsync(bob.EndPoint, Prack("rel-2", tag, 12, $"{rseq} 9 INVITE", branch: "b"));
        await _h.RawSendAsync(bob.EndPoint, Prack("rel-2", "nobody", 13, $"{rseq} 10 INVITE", branch: "c"));
        await _h.UntilAsync(() => Responses("481", SipMethods.Prack).Count == 3, "three 481");

        // Early media asked for now goes out only once the 180 is PRACKed (§3: one at a time).
        var progressTask = invitation.ProgressAsync();
        await _h.SettleAsync();
        Assert.Empty(Responses("183"));
        await _h.RawSendAsync(bob.EndPoint, Prack("rel-2", tag, 14, $"{rseq} 10 INVITE"));
        await _h.AwaitAsync(progressTask, "183 sent");
        Assert.Single(Responses("200", SipMethods.Prack));
        var progress = Responses("183").Single();
        Assert.Equal((rseq + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), progress.Headers["RSeq"]);
        Assert.Contains("o=bob", Encoding.UTF8.GetString(progress.Body.Span));

        // Answering before the 183 is PRACKed: the 200 waits (§3, the 183 carried SDP).
        var accept = invitation.AcceptAsync();
        await _h.AdvanceAsync(TimeSpan.FromSeconds(0.2));
        Assert.Empty(Responses("200", SipMethods.Invite));
        // The same PRACK of the 180 again (a new transaction): nothing unacknowledged matches it.
        await _h.RawSendAsync(bob.EndPoint, Prack("rel-2", tag, 15, $"{rseq} 10 INVITE"));
        await _h.UntilAsync(() => Responses("481", SipMethods.Prack).Count == 4, "481 for a PRACK of an acknowledged 180");
        await _h.RawSendAsync(bob.EndPoint, Prack("rel-2", tag, 16, $"{rseq + 1} 10 INVITE"));
        await _h.UntilAsync(() => Responses("200", SipMethods.Invite).Count == 1, "200 after the PRACK");
        var ok = Responses("200", SipMethods.Invite).Single();
        Assert.True(ok.Body.IsEmpty);
        Assert.Equal(tag, ok.To!.Tag);
        await _h.RawSendAsync(bob.EndPoint, Ack("rel-2", tag));
        await _h.AwaitAsync(accept, "established");

        // The caller's BYE continues the CSeq after the PRACKs; the early dialog became the dialog.
        await _h.RawSendAsync(bob.EndPoint,
            $"BYE sip:bob@10.0.0.2:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKbye2\r\nMax-Forwards: 70\r\n"
            + $"From: <sip:carol@10.0.0.9>;tag=cf\r\nTo: <sip:bob@10.0.0.2>;tag={tag}\r\nCall-ID: rel-2\r\nCSeq: 17 BYE\r\nContent-Length: 0\r\n\r\n");
        var end = await _h.AwaitAsync(invitation.Ended, "ended by BYE");
        Assert.Equal(SessionEndReason.RemoteHangup, end.Reason);
    }

    [Fact]
    public async Task A_late_offer_invite_requiring_100rel_gets_our_offer_in_the_reliable_180_and_its_answer_in_the_prack()
    {
        var bob = _h.Party("bob", "10.0.0.2");
        await _h.RawSendAsync(bob.EndPoint, Invite("rel-3", "Require: 100rel\r\n", withOffer: false));
        var invitation = await _h.AwaitAsync(bob.Agent.IncomingSessions.ReadAsync().AsTask(), "bob rings");
        var ringing = Responses("180").Single();
        Assert.Contains("o=bob", Encoding.UTF8.GetString(ringing.Body.Span));
        var tag = ringing.To!.Tag!;
        await _h.RawSendAsync(bob.EndPoint, Prack("rel-3", tag, 11, $"{ringing.Headers["RSeq"]} 10 INVITE", SessionHarness.Sdp("carol-answer")));
        await _h.UntilAsync(() => Responses("200", SipMethods.Prack).Count == 1, "PRACK answered");

        var accept = invitation.AcceptAsync();
        await _h.UntilAsync(() => Responses("200", SipMethods.Invite).Count == 1, "200");
        Assert.True(Responses("200", SipMethods.Invite).Single().Body.IsEmpty);
        await _h.RawSendAsync(bob.EndPoint, Ack("rel-3", tag));
        await _h.AwaitAsync(accept, "established with an empty ACK");
        Assert.Equal(["offer hold=False ice=False", "answer o=carol-answer 1 1 IN IP4 10.0.0.9"], bob.Media.Last.Calls.ToArray());
    }

    [Fact]
    public async Task A_late_offer_prack_without_the_answer_refuses_the_invite_488()
    {
        var bob = _h.Party("bob", "10.0.0.2");
        await _h.RawSendAsync(bob.EndPoint, Invite("rel-4", "Require: 100rel\r\n", withOffer: false));
        var invitation = await _h.AwaitAsync(bob.Agent.IncomingSessions.ReadAsync().AsTask(), "bob rings");
        var ringing = Responses("180").Single();
        await _h.RawSendAsync(bob.EndPoint, Prack("rel-4", ringing.To!.Tag!, 11, $"{ringing.Headers["RSeq"]} 10 INVITE"));
        await _h.UntilAsync(() => Responses("488").Count == 1, "488");
        var end = await _h.AwaitAsync(invitation.Ended, "ended");
        Assert.Contains("no answer", end.Detail);
    }

    [Fact]
    public async Task With_reliable_provisionals_off_an_invite_requiring_100rel_is_refused_420_unsupported_100rel()
    {
        var bob = _h.Party("bob", "10.0.0.2", o => o with { ReliableProvisionals = false });
        await _h.RawSendAsync(bob.EndPoint, Invite("rel-5", "Require: 100rel\r\n"));
        await _h.UntilAsync(() => Responses("420").Count == 1, "420");
        Assert.Equal("100rel", Responses("420").Single().Headers[SipHeaderNames.Unsupported]);
        Assert.Empty(Responses("180"));
    }

    [Fact]
    public async Task A_caller_that_only_supports_100rel_gets_a_plain_180_and_a_reliable_183()
    {
        var bob = _h.Party("bob", "10.0.0.2");
        await _h.RawSendAsync(bob.EndPoint, Invite("rel-6", "Supported: 100rel\r\n"));
        var invitation = await _h.AwaitAsync(bob.Agent.IncomingSessions.ReadAsync().AsTask(), "bob rings");
        Assert.Null(Responses("180").Single().Headers["RSeq"]);
        await _h.AwaitAsync(invitation.ProgressAsync(), "183");
        var progress = Responses("183").Single();
        Assert.Equal("100rel", progress.Headers[SipHeaderNames.Require]);
        await _h.AdvanceAsync(TimeSpan.FromSeconds(0.6));
        await _h.UntilAsync(() => Responses("183").Count == 2, "183 re-sent at T1");
    }

    private static string Update(string callId, string toTag, long cseq, string? body)
    {
        body ??= "";
        return $"UPDATE sip:bob@10.0.0.2:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKup{cseq}\r\nMax-Forwards: 70\r\n"
            + $"From: <sip:carol@10.0.0.9>;tag=cf\r\nTo: <sip:bob@10.0.0.2>;tag={toTag}\r\nCall-ID: {callId}\r\nCSeq: {cseq} UPDATE\r\nContact: <sip:carol@10.0.0.9:5060>\r\n"
            + (body.Length > 0 ? "Content-Type: application/sdp\r\n" : "") + $"Content-Length: {body.Length}\r\n\r\n{body}";
    }

    [Fact]
    public async Task An_update_in_the_early_dialog_is_answered_once_the_reliable_183_is_pracked_and_its_hold_carries_into_the_call()
    {
        var bob = _h.Party("bob", "10.0.0.2");
        await _h.RawSendAsync(bob.EndPoint, Invite("rel-7", "Supported: 100rel\r\n"));
        var invitation = await _h.AwaitAsync(bob.Agent.IncomingSessions.ReadAsync().AsTask(), "bob rings");
        await _h.AwaitAsync(invitation.ProgressAsync(), "183");
        var progress = Responses("183").Single();
        var tag = progress.To!.Tag!;

        // Before the PRACK, the INVITE's offer is not answered reliably: 500 with Retry-After (RFC 3311 §5.2).
        var holdOffer = SessionHarness.Sdp("carol-hold").Replace("a=sendrecv", "a=sendonly", StringComparison.Ordinal);
        await _h.RawSendAsync(bob.EndPoint, Update("rel-7", tag, 11, holdOffer));
        await _h.UntilAsync(() => Responses("500", SipMethods.Update).Count == 1, "500 to the early UPDATE");
        Assert.NotNull(Responses("500", SipMethods.Update).Single().Headers[SipHeaderNames.RetryAfter]);

        await _h.RawSendAsync(bob.EndPoint, Prack("rel-7", tag, 12, $"{progress.Headers["RSeq"]} 10 INVITE"));
        await _h.UntilAsync(() => Responses("200", SipMethods.Prack).Count == 1, "PRACK answered");
        await _h.RawSendAsync(bob.EndPoint, Update("rel-7", tag, 13, holdOffer));
        await _h.UntilAsync(() => Responses("200", SipMethods.Update).Count == 1, "200 to the early UPDATE");
        var updated = Responses("200", SipMethods.Update).Single();
        Assert.Contains("o=bob", Encoding.UTF8.GetString(updated.Body.Span));
        Assert.Equal(SessionState.EarlyMedia, invitation.State);

        var accept = invitation.AcceptAsync();
        await _h.UntilAsync(() => Responses("200", SipMethods.Invite).Count == 1, "200");
        Assert.True(Responses("200", SipMethods.Invite).Single().Body.IsEmpty);
        await _h.RawSendAsync(bob.EndPoint, Ack("rel-7", tag));
        await _h.AwaitAsync(accept, "established");
        Assert.Equal(SessionState.OnHold, invitation.State);
        Assert.True(invitation.IsRemoteHold);
        Assert.Equal(["remote offer o=carol 1 1 IN IP4 10.0.0.9", "answer created", "remote offer o=carol-hold 1 1 IN IP4 10.0.0.9", "answer created"],
            bob.Media.Last.Calls.ToArray());
    }

    [Fact]
    public async Task An_early_update_without_a_reliable_provisional_has_no_dialog_and_gets_481()
    {
        var bob = _h.Party("bob", "10.0.0.2");
        await _h.RawSendAsync(bob.EndPoint, Invite("rel-8", ""));
        await _h.AwaitAsync(bob.Agent.IncomingSessions.ReadAsync().AsTask(), "bob rings");
        var tag = Responses("180").Single().To!.Tag!;
        await _h.RawSendAsync(bob.EndPoint, Update("rel-8", tag, 11, SessionHarness.Sdp("carol-2")));
        await _h.UntilAsync(() => Responses("481", SipMethods.Update).Count == 1, "481");
    }
}
