using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sessions;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Tests.Sessions;

/// <summary>Two session layers calling each other over the in-memory network, in virtual time, with fake media.</summary>
public sealed class SessionTests : IAsyncLifetime
{
    private readonly SessionHarness _h = new();
    private SessionParty _alice = null!;
    private SessionParty _bob = null!;

    public Task InitializeAsync()
    {
        _alice = _h.Party("alice", "10.0.0.1");
        _bob = _h.Party("bob", "10.0.0.2");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private async Task<(Inviter Caller, Invitation Callee)> RingAsync(SessionParty from, SessionParty to)
    {
        var inviter = from.Agent.CreateInviter(to.Uri);
        inviter.Invite();
        var read = to.Agent.IncomingSessions.ReadAsync().AsTask();
        var invitation = await _h.AwaitAsync(read, "the callee rings");
        await _h.UntilAsync(() => inviter.State == SessionState.Ringing, "the caller hears ringing");
        return (inviter, invitation);
    }

    private async Task<(Inviter Caller, Invitation Callee)> EstablishAsync(SessionParty from, SessionParty to)
    {
        var (inviter, invitation) = await RingAsync(from, to);
        await _h.AwaitAsync(invitation.AcceptAsync(), "the callee answers");
        await _h.AwaitAsync(inviter.Established, "the caller is established");
        return (inviter, invitation);
    }

    [Fact]
    public async Task A_call_is_offered_answered_and_ended_with_bye()
    {
        var (alice, bob) = await EstablishAsync(_alice, _bob);

        Assert.Equal(SessionState.Established, bob.State);
        Assert.Contains("answer o=bob 1 1 IN IP4 127.0.0.1", _alice.Media.Last.Calls);
        Assert.Contains("remote offer o=alice 1 1 IN IP4 127.0.0.1", _bob.Media.Last.Calls);

        await _h.AwaitAsync(alice.ByeAsync(), "BYE");
        Assert.Equal(SessionEndReason.LocalHangup, (await _h.AwaitAsync(alice.Ended, "alice ended")).Reason);
        Assert.Equal(SessionEndReason.RemoteHangup, (await _h.AwaitAsync(bob.Ended, "bob ended")).Reason);
        await _h.UntilAsync(() => _alice.Media.Last.Disposed && _bob.Media.Last.Disposed, "media released");
    }

    [Fact]
    public async Task An_unanswered_call_is_cancelled_when_the_no_answer_timeout_runs_out()
    {
        await using var h = new SessionHarness();
        var alice = h.Party("alice", "10.0.0.1", o => o with { NoAnswerTimeout = TimeSpan.FromSeconds(30) });
        var bob = h.Party("bob", "10.0.0.2");
        var inviter = alice.Agent.CreateInviter(bob.Uri);
        inviter.Invite();
        var invitation = await h.AwaitAsync(bob.Agent.IncomingSessions.ReadAsync().AsTask(), "bob rings");

        await h.AdvanceAsync(TimeSpan.FromSeconds(29.8));
        Assert.Equal(SessionState.Ringing, inviter.State);
        Assert.DoesNotContain(alice.SentLines(), l => l.StartsWith("CANCEL", StringComparison.Ordinal));
        await h.AdvanceAsync(TimeSpan.FromSeconds(0.4));

        var end = await h.AwaitAsync(inviter.Ended, "alice gave up");
        Assert.Equal(SessionEndReason.LocalHangup, end.Reason);
        Assert.Equal(487, end.StatusCode);
        Assert.Contains("no answer within 30 s", end.Detail);
        Assert.Contains(alice.SentLines(), l => l.StartsWith("CANCEL", StringComparison.Ordinal));
        var bobsEnd = await h.AwaitAsync(invitation.Ended, "bob stopped ringing");
        Assert.Equal(SessionEndReason.RemoteHangup, bobsEnd.Reason);
    }

    [Fact]
    public async Task A_cancel_that_gets_no_final_response_ends_the_call_after_the_cancel_timeout()
    {
        var (alice, bob) = await RingAsync(_alice, _bob);
        // The callee never learns of the CANCEL (lost every time) and never answers the INVITE.
        _h.Network.Drop = (_, _, text) => text.StartsWith("CANCEL", StringComparison.Ordinal);

        var cancelling = alice.CancelAsync();
        await _h.AdvanceAsync(TimeSpan.FromSeconds(39.8));
        Assert.False(cancelling.IsCompleted);
        Assert.Equal(SessionState.Ringing, alice.State);
        await _h.AdvanceAsync(TimeSpan.FromSeconds(0.4));

        await _h.AwaitAsync(cancelling, "the cancel gives up");
        var end = await alice.Ended;
        Assert.Equal(SessionEndReason.LocalHangup, end.Reason);
        Assert.Contains("no final response to the INVITE", end.Detail);
        Assert.Equal(SessionState.Ringing, bob.State);
    }

    [Fact]
    public async Task A_2xx_that_wins_the_race_with_cancel_is_acked_and_ended_with_bye()
    {
        var (alice, bob) = await RingAsync(_alice, _bob);
        _h.Network.Drop = (_, _, text) => text.StartsWith("CANCEL", StringComparison.Ordinal);
        var cancelling = alice.CancelAsync();
        await _h.UntilAsync(() => _alice.SentLines().Any(l => l.StartsWith("CANCEL", StringComparison.Ordinal)), "CANCEL sent");

        try
        {
            await _h.AwaitAsync(bob.AcceptAsync(), "bob answered before he saw the CANCEL");
        }
        catch (SessionEndedException)
        {
            // Alice's BYE right behind her ACK may end bob's session before his answer completes.
        }
        await _h.AwaitAsync(cancelling, "cancel completes");

        var end = await alice.Ended;
        Assert.Equal(SessionEndReason.LocalHangup, end.Reason);
        Assert.Contains("2xx won the race", end.Detail);
        Assert.Equal(SessionEndReason.RemoteHangup, (await _h.AwaitAsync(bob.Ended, "bob got the BYE")).Reason);
        var lines = _alice.SentLines();
        Assert.True(lines.FindIndex(l => l.StartsWith("ACK", StringComparison.Ordinal)) < lines.FindIndex(l => l.StartsWith("BYE", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_token_given_to_invite_cancels_the_attempt()
    {
        using var cts = new CancellationTokenSource();
        var inviter = _alice.Agent.CreateInviter(_bob.Uri);
        inviter.Invite(cts.Token);
        var invitation = await _h.AwaitAsync(_bob.Agent.IncomingSessions.ReadAsync().AsTask(), "bob rings");
        await _h.UntilAsync(() => inviter.State == SessionState.Ringing, "ringing");

        await cts.CancelAsync();

        Assert.Equal(487, (await _h.AwaitAsync(inviter.Ended, "cancelled")).StatusCode);
        Assert.Equal(SessionEndReason.RemoteHangup, (await _h.AwaitAsync(invitation.Ended, "bob ended")).Reason);
    }

    [Fact]
    public async Task Answering_while_the_caller_cancels_fails_with_the_end_not_a_crash()
    {
        var (alice, bob) = await RingAsync(_alice, _bob);
        await _h.AwaitAsync(alice.CancelAsync(), "cancelled");

        var e = await Assert.ThrowsAsync<SessionEndedException>(() => _h.AwaitAsync(bob.AcceptAsync(), "answer after cancel"));
        Assert.Equal(SessionEndReason.RemoteHangup, e.End.Reason);
    }

    [Fact]
    public async Task The_callee_ends_with_bye_when_no_ack_arrives_before_timer_l()
    {
        var (alice, bob) = await RingAsync(_alice, _bob);
        _h.Network.Drop = (_, _, text) => text.StartsWith("ACK", StringComparison.Ordinal);

        var answering = bob.AcceptAsync();
        await _h.AdvanceAsync(TimeSpan.FromSeconds(31.9));
        Assert.False(answering.IsCompleted);
        await _h.AdvanceAsync(TimeSpan.FromSeconds(0.3));

        var e = await Assert.ThrowsAsync<SessionEndedException>(() => _h.AwaitAsync(answering, "Timer L"));
        Assert.Equal(SessionEndReason.Failed, e.End.Reason);
        Assert.Contains("Timer L", e.End.Detail);
        Assert.Contains(_bob.SentLines(), l => l.StartsWith("BYE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Hold_and_resume_by_re_invite_and_by_update()
    {
        var (alice, bob) = await EstablishAsync(_alice, _bob);

        await _h.AwaitAsync(alice.HoldAsync(), "hold");
        Assert.Equal(SessionState.OnHold, alice.State);
        await _h.UntilAsync(() => bob.IsRemoteHold && bob.State == SessionState.OnHold, "bob sees the hold");

        await _h.AwaitAsync(bob.UpdateAsync(hold: true), "UPDATE from bob");
        Assert.True(bob.IsLocalHold);
        await _h.UntilAsync(() => alice.IsRemoteHold, "alice sees bob's hold");
        Assert.Contains(_bob.SentLines(), l => l.StartsWith("UPDATE", StringComparison.Ordinal));

        await _h.AwaitAsync(alice.ResumeAsync(), "resume");
        await _h.AwaitAsync(bob.UpdateAsync(hold: false), "bob resumes by UPDATE");
        await _h.UntilAsync(() => alice.State == SessionState.Established && bob.State == SessionState.Established, "both off hold");
    }

    [Fact]
    public async Task A_refused_re_invite_leaves_the_call_up_and_rolls_the_offer_back()
    {
        var (alice, bob) = await EstablishAsync(_alice, _bob);
        _bob.Media.Last.RefuseOffersContaining = "a=sendonly";

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => _h.AwaitAsync(alice.HoldAsync(), "hold refused"));

        Assert.Contains("488", e.Message);
        Assert.Equal(SessionState.Established, alice.State);
        Assert.False(alice.IsLocalHold);
        Assert.Contains("rollback", _alice.Media.Last.Calls);
        var refusal = _bob.SentMessages().OfType<SipResponse>().Single(r => r.StatusCode == 488);
        Assert.Contains("bob cannot use a=sendonly", refusal.Headers[SipHeaderNames.Warning]);
        Assert.StartsWith("305 ", refusal.Headers[SipHeaderNames.Warning]);
        // The call still works: an UPDATE without hold goes through.
        await _h.AwaitAsync(alice.UpdateAsync(), "UPDATE");
    }

    [Fact]
    public async Task Glare_is_answered_491_and_the_offer_is_retried_after_the_rfc_3261_interval()
    {
        var (alice, bob) = await EstablishAsync(_alice, _bob);
        // Alice's re-INVITE is lost once (UDP retransmits it after T1), so bob's crosses it: glare.
        var lost = 0;
        _h.Network.Drop = (from, _, text) => from == _alice.Transport && text.StartsWith("INVITE", StringComparison.Ordinal) && lost++ == 0;
        var aliceHold = alice.HoldAsync();
        await _h.UntilAsync(() => lost == 1, "alice's re-INVITE sent (and lost)");
        var bobHold = bob.HoldAsync();
        await _h.UntilAsync(() => _alice.SentMessages().OfType<SipResponse>().Any(r => r.StatusCode == 491), "alice answers bob's offer 491");
        var glareAt = _h.Time.GetUtcNow();
        // Bob's retry wait starts when his session reads the 491: the clock must not move before then.
        // The 491 reaches his session as executor work, so settling (all executors idle) covers it;
        // the rollback is checked as well, being the step that starts the wait.
        await _h.UntilAsync(() => _bob.Media.Last.Calls.Contains("rollback"), "bob reads the 491 and rolls his offer back");
        await _h.SettleAsync();

        // The retries may meet again (bob's wait can end before alice's retransmission): keep going, bounded.
        for (var waited = 0; waited < 20 && !(aliceHold.IsCompleted && bobHold.IsCompleted); waited++)
            await _h.AdvanceAsync(TimeSpan.FromSeconds(0.5));
        await _h.AwaitAsync(aliceHold, "alice's hold");
        await _h.AwaitAsync(bobHold, "bob's hold after his retry");

        Assert.True(alice.IsLocalHold && bob.IsLocalHold);
        Assert.Equal(SessionState.OnHold, alice.State);
        Assert.Equal(SessionState.OnHold, bob.State);
        // §14.1: bob does not own the Call-ID (alice called), so he retries 0–2 s after the 491.
        // One INVITE per offer (retransmissions of one transaction share its CSeq).
        var bobsInvites = _bob.Transport.Sent.Where(m => m.FirstLine.StartsWith("INVITE", StringComparison.Ordinal))
            .GroupBy(m => ((SipRequest)m.Parse()).CSeq!.Number).Select(g => g.First()).ToList();
        Assert.True(bobsInvites.Count >= 2);
        Assert.InRange(bobsInvites[1].At - glareAt, TimeSpan.Zero, TimeSpan.FromSeconds(2.1));
        Assert.Contains("rollback", _bob.Media.Last.Calls);
    }

    [Fact]
    public async Task Refer_transfers_the_peer_and_reports_the_outcome_both_ways()
    {
        var carol = _h.Party("carol", "10.0.0.3");
        var (alice, bob) = await EstablishAsync(_alice, _bob);
        var referred = new TaskCompletionSource<SessionReferredEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        alice.Referred += (_, e) => referred.TrySetResult(e);

        var transfer = bob.ReferAsync(carol.Uri);
        var toCarol = await _h.AwaitAsync(referred.Task, "alice was referred");
        Assert.Equal(carol.Uri.ToString(), toCarol.Target.ToString());
        var carolRings = await _h.AwaitAsync(carol.Agent.IncomingSessions.ReadAsync().AsTask(), "carol rings");
        await _h.AwaitAsync(carolRings.AcceptAsync(), "carol answers");

        Assert.Equal(200, await _h.AwaitAsync(transfer, "the transfer completes"));
        Assert.Equal(SessionEndReason.Transferred, (await _h.AwaitAsync(bob.Ended, "bob left")).Reason);
        // Both ends may send the BYE (the transferee after its NOTIFY 200, the transferor on reading it): whichever is first.
        Assert.Contains((await _h.AwaitAsync(alice.Ended, "alice's first call ended")).Reason, new[] { SessionEndReason.Transferred, SessionEndReason.RemoteHangup });
        Assert.Equal(SessionState.Established, toCarol.NewSession.State);
        var notifies = _alice.SentMessages().OfType<SipRequest>().Where(r => r.Method == SipMethods.Notify).Select(r => System.Text.Encoding.UTF8.GetString(r.Body.Span).Trim()).ToList();
        Assert.Equal(["SIP/2.0 100 Trying", "SIP/2.0 200 OK"], notifies);
    }

    [Fact]
    public async Task A_refused_transfer_keeps_the_call_up()
    {
        var (alice, bob) = await EstablishAsync(_alice, _bob);
        var transfer = bob.ReferAsync(SipUri.Parse("sip:nobody@10.0.0.7:5060"));
        // Nobody answers at 10.0.0.7: alice's INVITE times out (Timer B), she reports 408.
        await _h.AdvanceAsync(TimeSpan.FromSeconds(33));
        var status = await _h.AwaitAsync(transfer, "transfer outcome");
        Assert.Equal(408, status);
        Assert.Equal(SessionState.Established, bob.State);
        Assert.Equal(SessionState.Established, alice.State);
    }

    [Fact]
    public async Task Dtmf_info_reaches_the_peer_in_order()
    {
        var (alice, bob) = await EstablishAsync(_alice, _bob);
        var digits = new List<char>();
        bob.DtmfReceived += (_, e) => { lock (digits) digits.Add(e.Digit); };
        foreach (var d in "159#")
            await _h.AwaitAsync(alice.SendDtmfInfoAsync(d), "INFO");
        await _h.UntilAsync(() => { lock (digits) return digits.Count == 4; }, "digits");
        Assert.Equal("159#", new string(digits.ToArray()));
    }

    [Fact]
    public async Task Dead_media_ends_the_call_with_bye_and_a_readable_reason()
    {
        var (alice, bob) = await EstablishAsync(_alice, _bob);
        _alice.Media.Last.Fail("no RTP/RTCP from the peer for 30 s");
        var end = await _h.AwaitAsync(alice.Ended, "alice ended");
        Assert.Equal(SessionEndReason.MediaFailed, end.Reason);
        Assert.Equal("MediaFailed: no RTP/RTCP from the peer for 30 s", end.ToString());
        Assert.Equal(SessionEndReason.RemoteHangup, (await _h.AwaitAsync(bob.Ended, "bob got the BYE")).Reason);
    }

    [Fact]
    public async Task A_target_refresh_sends_the_new_contact_so_the_peers_requests_reach_us_there()
    {
        var (alice, bob) = await EstablishAsync(_alice, _bob);
        // Alice's flow moved to a new address (as after reconnecting to the server).
        var moved = _h.Network.Bind(SipTransportKind.Udp, "10.0.0.11", 5060, _h.Time);
        _alice.Stack.AddTransport(moved);
        _alice.Agent.Contact = new SipAddress(SipUri.Parse("sip:alice@10.0.0.11:5060"));

        await _h.AwaitAsync(_alice.Agent.RefreshTargetsAsync(), "refresh");
        await _h.AwaitAsync(bob.ByeAsync(), "bob hangs up");

        Assert.Contains(_bob.Transport.Sent, m => m.FirstLine.StartsWith("BYE sip:alice@10.0.0.11:5060", StringComparison.Ordinal) && m.Destination.Address.Address.ToString() == "10.0.0.11");
        Assert.Equal(SessionEndReason.RemoteHangup, (await _h.AwaitAsync(alice.Ended, "alice got the BYE at her new address")).Reason);
    }

    [Fact]
    public async Task Ending_all_sessions_is_bounded_when_a_peer_never_answers_the_bye()
    {
        var (alice, bob) = await EstablishAsync(_alice, _bob);
        var (alice2, carolLess) = await RingAsync(_alice, _bob);
        _h.Network.Drop = (from, _, _) => from == _bob.Transport; // bob went silent

        var ending = _alice.Agent.EndAllAsync(TimeSpan.FromSeconds(2));
        await _h.UntilAsync(() => _alice.SentLines().Any(l => l.StartsWith("BYE", StringComparison.Ordinal))
            && _alice.SentLines().Any(l => l.StartsWith("CANCEL", StringComparison.Ordinal)), "BYE and CANCEL sent");
        await _h.AdvanceAsync(TimeSpan.FromSeconds(2.2));
        await _h.AwaitAsync(ending, "shutdown bounded");

        Assert.Equal(SessionState.Ended, alice.State);
        Assert.Equal(SessionState.Ended, alice2.State);
        Assert.Contains(_alice.SentLines(), l => l.StartsWith("BYE", StringComparison.Ordinal));
        Assert.Contains(_alice.SentLines(), l => l.StartsWith("CANCEL", StringComparison.Ordinal));
        Assert.Empty(await _h.AwaitAsync(_alice.Agent.GetSessionsAsync(), "sessions"));
    }
}
