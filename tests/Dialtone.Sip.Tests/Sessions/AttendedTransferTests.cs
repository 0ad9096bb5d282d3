using System.Text;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sessions;

namespace Dialtone.Sip.Tests.Sessions;

/// <summary>
/// Attended transfer (RFC 3515 REFER + RFC 3891 Replaces, RFC 5589 §7) in virtual time, all three roles:
/// alice (transferor) has a call with bob and a consultation call with carol, and transfers bob to carol.
/// </summary>
public sealed class AttendedTransferTests : IAsyncLifetime
{
    private readonly SessionHarness _h = new();
    private SessionParty _alice = null!;
    private SessionParty _bob = null!;
    private SessionParty _carol = null!;

    public Task InitializeAsync()
    {
        _alice = _h.Party("alice", "10.0.0.1");
        _bob = _h.Party("bob", "10.0.0.2");
        _carol = _h.Party("carol", "10.0.0.3");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private async Task<(Inviter Caller, Invitation Callee)> CallAsync(SessionParty from, SessionParty to)
    {
        var inviter = from.Agent.CreateInviter(to.Uri);
        inviter.Invite();
        var invitation = await _h.AwaitAsync(to.Agent.IncomingSessions.ReadAsync().AsTask(), $"{to.Name} rings");
        await _h.AwaitAsync(invitation.AcceptAsync(), $"{to.Name} answers");
        await _h.AwaitAsync(inviter.Established, $"{from.Name} established");
        return (inviter, invitation);
    }

    [Fact]
    public async Task The_transferee_calls_the_target_with_replaces_the_target_swaps_the_calls_and_all_old_calls_end_transferred()
    {
        var (aliceToBob, bobFromAlice) = await CallAsync(_alice, _bob);
        var (aliceToCarol, carolFromAlice) = await CallAsync(_alice, _carol);
        await _h.AwaitAsync(aliceToBob.HoldAsync(), "alice holds bob while consulting");
        var referred = new TaskCompletionSource<SessionReferredEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        bobFromAlice.Referred += (_, e) => referred.TrySetResult(e);
        var replaced = new TaskCompletionSource<SessionReplacedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        carolFromAlice.Replaced += (_, e) => replaced.TrySetResult(e);

        var transfer = aliceToBob.ReferAsync(aliceToCarol);

        // Alice's REFER: Refer-To carol with the consultation dialog as carol sees it, escaped (RFC 3891 §3, RFC 3261 §19.1.1).
        var refer = await FirstAsync(_alice, SipMethods.Refer);
        var referTo = refer.Headers[SipHeaderNames.ReferTo]!;
        var expected = $"{aliceToCarol.CallId}%3Bto-tag%3D{carolFromAlice.LocalIdentity.Tag}%3Bfrom-tag%3D{carolFromAlice.RemoteIdentity.Tag}";
        Assert.Equal($"<sip:carol@10.0.0.3:5060?Replaces={expected}>", referTo);
        Assert.NotNull(refer.Headers[SipHeaderNames.ReferredBy]);

        // Bob's INVITE to carol carries the unescaped Replaces, Require: replaces and alice's Referred-By.
        var e = await _h.AwaitAsync(referred.Task, "bob was referred");
        Assert.Equal($"{aliceToCarol.CallId};to-tag={carolFromAlice.LocalIdentity.Tag};from-tag={carolFromAlice.RemoteIdentity.Tag}", e.Replaces);
        var invite = await FirstAsync(_bob, SipMethods.Invite, r => r.CallId == e.NewSession.CallId);
        Assert.Equal(e.Replaces, invite.Headers["Replaces"]);
        Assert.Contains("replaces", invite.Headers.Values(SipHeaderNames.Require));
        Assert.Equal(refer.Headers[SipHeaderNames.ReferredBy], invite.Headers[SipHeaderNames.ReferredBy]);

        // Carol answers it without ringing (nothing in her incoming queue) and drops the consultation call.
        var swap = await _h.AwaitAsync(replaced.Task, "carol's consultation call replaced");
        Assert.Equal(e.NewSession.CallId, swap.NewSession.CallId);
        Assert.Same(carolFromAlice, swap.NewSession.Replaces);
        await _h.AwaitAsync(e.NewSession.Established, "bob and carol talk");
        await _h.AwaitAsync(swap.NewSession.Established, "carol's side established");
        Assert.Equal(0, _carol.Agent.IncomingSessions.Count);

        Assert.Equal(200, await _h.AwaitAsync(transfer, "the transfer completes"));
        Assert.Equal(SessionEndReason.Transferred, (await _h.AwaitAsync(aliceToBob.Ended, "alice-bob ended")).Reason);
        Assert.Equal(SessionEndReason.Transferred, (await _h.AwaitAsync(aliceToCarol.Ended, "alice-carol ended")).Reason);
        Assert.Equal(SessionEndReason.Transferred, (await _h.AwaitAsync(bobFromAlice.Ended, "bob's old call ended")).Reason);
        Assert.Equal(SessionEndReason.Transferred, (await _h.AwaitAsync(carolFromAlice.Ended, "carol's old call ended")).Reason);
        Assert.Equal(SessionState.Established, e.NewSession.State);
        Assert.Equal(SessionState.Established, swap.NewSession.State);
        // Alice did not need to BYE the consultation: carol did (alice only waits 64*T1 for it).
        Assert.DoesNotContain(_alice.SentMessages().OfType<SipRequest>(), r => r.Method == SipMethods.Bye && r.CallId == aliceToCarol.CallId);
    }

    [Fact]
    public async Task When_the_target_no_longer_has_the_consultation_call_the_transfer_fails_481_and_the_call_stays_up()
    {
        var (aliceToBob, bobFromAlice) = await CallAsync(_alice, _bob);
        var (aliceToCarol, carolFromAlice) = await CallAsync(_alice, _carol);
        // Carol's side forgets the consultation call silently (as if it had crashed and restarted), alice's stays.
        carolFromAlice.ForceEnd(new SessionEnd(SessionEndReason.LocalHangup, Detail: "test"));
        await _h.AwaitAsync(carolFromAlice.Ended, "carol forgot the call");

        var status = await _h.AwaitAsync(aliceToBob.ReferAsync(aliceToCarol), "transfer outcome");
        Assert.Equal(481, status);
        Assert.Equal(SessionState.Established, aliceToBob.State);
        Assert.Equal(SessionState.Established, bobFromAlice.State);
        Assert.Equal(SessionState.Established, aliceToCarol.State);
        // The consultation call is no longer marked: a later BYE from carol's side would be a plain hangup.
        await _h.AwaitAsync(aliceToCarol.ByeAsync(), "alice hangs up the consultation");
        Assert.Equal(SessionEndReason.LocalHangup, (await aliceToCarol.Ended).Reason);
    }

    [Fact]
    public async Task Only_an_established_consultation_call_of_the_same_agent_can_be_used()
    {
        var (aliceToBob, _) = await CallAsync(_alice, _bob);
        var ringing = _alice.Agent.CreateInviter(_carol.Uri);
        await Assert.ThrowsAsync<ArgumentException>(() => aliceToBob.ReferAsync(aliceToBob));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _h.AwaitAsync(aliceToBob.ReferAsync(ringing), "refused"));
        var (carolToBob, _) = await CallAsync(_carol, _bob);
        await Assert.ThrowsAsync<ArgumentException>(() => aliceToBob.ReferAsync(carolToBob));
    }

    [Theory]
    [InlineData("abc@host.example;to-tag=1;from-tag=2", "abc%40host.example%3Bto-tag%3D1%3Bfrom-tag%3D2")]
    [InlineData("a b&c=d", "a%20b%26c%3Dd")]
    [InlineData("x-_.!~*'()[]/?:+$", "x-_.!~*'()[]/?:+$")]
    public void Replaces_values_are_escaped_for_a_uri_header_and_read_back(string value, string escaped)
    {
        Assert.Equal(escaped, SessionHeaders.EscapeUriHeaderValue(value));
        Assert.Equal(value, SessionHeaders.UnescapeUriHeaderValue(escaped));
    }

    private async Task<SipRequest> FirstAsync(SessionParty party, string method, Func<SipRequest, bool>? where = null)
    {
        SipRequest? Find() => party.SentMessages().OfType<SipRequest>().FirstOrDefault(r => r.Method == method && (where?.Invoke(r) ?? true));
        await _h.UntilAsync(() => Find() is not null, $"{party.Name} sent {method}");
        return Find()!;
    }
}
