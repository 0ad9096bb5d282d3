using Dialtone.Sip.Message;
using Dialtone.Sip.Sessions;

namespace Dialtone.Sip.Tests.Sessions;

/// <summary>Incoming INVITE with Replaces (RFC 3891) in virtual time: the named call is swapped for the new one, or 481/486/400.</summary>
public sealed class ReplacesTests : IAsyncLifetime
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

    private async Task<(Inviter Alice, Invitation Bob)> EstablishAsync()
    {
        var inviter = _alice.Agent.CreateInviter(_bob.Uri);
        inviter.Invite();
        var invitation = await _h.AwaitAsync(_bob.Agent.IncomingSessions.ReadAsync().AsTask(), "bob rings");
        await _h.AwaitAsync(invitation.AcceptAsync(), "bob answers");
        await _h.AwaitAsync(inviter.Established, "alice established");
        return (inviter, invitation);
    }

    private static string ReplacingInvite(string callId, string replaces) =>
        $"INVITE sip:bob@10.0.0.2:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK{callId}\r\nMax-Forwards: 70\r\n"
        + $"From: <sip:carol@10.0.0.9>;tag=cf\r\nTo: <sip:bob@10.0.0.2>\r\nCall-ID: {callId}\r\nCSeq: 1 INVITE\r\nContact: <sip:carol@10.0.0.9:5060>\r\n"
        + $"Require: replaces\r\nReplaces: {replaces}\r\n"
        + $"Content-Type: application/sdp\r\nContent-Length: {SessionHarness.Sdp("carol").Length}\r\n\r\n{SessionHarness.Sdp("carol")}";

    private string? RawResponse(string callId, string status)
    {
        lock (_h.RawReceived)
            return _h.RawReceived.FirstOrDefault(t => t.StartsWith("SIP/2.0 " + status, StringComparison.Ordinal) && t.Contains("Call-ID: " + callId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_invite_replacing_an_established_call_is_answered_without_ringing_and_the_old_call_gets_bye()
    {
        var (alice, bob) = await EstablishAsync();
        SessionReplacedEventArgs? replacedBy = null;
        bob.Replaced += (_, e) => replacedBy = e;
        var bobTag = bob.LocalIdentity.Tag!;
        var aliceTag = bob.RemoteIdentity.Tag!; // the caller's From tag, as bob sees it

        await _h.RawSendAsync(_bob.EndPoint, ReplacingInvite("new-1", $"{bob.CallId};to-tag={bobTag};from-tag={aliceTag}"));
        await _h.UntilAsync(() => RawResponse("new-1", "200") is not null, "the replacing INVITE answered");
        Assert.Null(RawResponse("new-1", "180"));
        var ok = (SipResponse)SipParser.Parse(System.Text.Encoding.UTF8.GetBytes(RawResponse("new-1", "200")!));
        Assert.Contains("o=bob", System.Text.Encoding.UTF8.GetString(ok.Body.Span));
        await _h.RawSendAsync(_bob.EndPoint,
            $"ACK sip:bob@10.0.0.2:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKnew1ack\r\nMax-Forwards: 70\r\n"
            + $"From: <sip:carol@10.0.0.9>;tag=cf\r\nTo: <sip:bob@10.0.0.2>;tag={ok.To!.Tag}\r\nCall-ID: new-1\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n");

        var aliceEnd = await _h.AwaitAsync(alice.Ended, "alice got BYE");
        Assert.Equal(SessionEndReason.RemoteHangup, aliceEnd.Reason);
        var bobEnd = await _h.AwaitAsync(bob.Ended, "the old call ended");
        Assert.Equal(SessionEndReason.Transferred, bobEnd.Reason);
        Assert.Contains("new-1", bobEnd.Detail);
        await _h.UntilAsync(() => replacedBy is not null, "Replaced raised");
        Assert.Equal("new-1", replacedBy!.NewSession.CallId);
        Assert.Same(bob, replacedBy.NewSession.Replaces);
        await _h.AwaitAsync(replacedBy.NewSession.Established, "the new call is up");
        Assert.Equal(0, _bob.Agent.IncomingSessions.Count); // nobody was asked to answer it
    }

    [Theory]
    [InlineData("unknown-call;to-tag=x;from-tag=y", "481")]
    [InlineData("no-tags-at-all", "400")]
    public async Task An_invite_replacing_nothing_we_have_is_refused(string replaces, string status)
    {
        await _h.RawSendAsync(_bob.EndPoint, ReplacingInvite("new-2", replaces));
        await _h.UntilAsync(() => RawResponse("new-2", status) is not null, status);
        Assert.Null(RawResponse("new-2", "180"));
    }

    [Fact]
    public async Task Early_only_for_an_established_call_is_refused_486_and_the_call_stays()
    {
        var (alice, bob) = await EstablishAsync();
        await _h.RawSendAsync(_bob.EndPoint, ReplacingInvite("new-3", $"{bob.CallId};to-tag={bob.LocalIdentity.Tag};from-tag={bob.RemoteIdentity.Tag};early-only"));
        await _h.UntilAsync(() => RawResponse("new-3", "486") is not null, "486");
        Assert.Equal(SessionState.Established, bob.State);
    }
}
