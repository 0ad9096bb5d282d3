namespace Dialtone.Phone.Tests.Calls;

/// <summary>
/// 100rel between two real user agents (both support it by default): the callee's early media goes in a
/// reliable 183 that the caller PRACKs, and the 200 then carries no SDP — the caller's media must take
/// the 183's answer as final, so audio flows both ways after the answer.
/// </summary>
public sealed class ReliableEarlyMediaCallTests : EmbeddedServerCallTests
{
    [Fact]
    public async Task Early_media_in_a_reliable_183_then_the_answer_without_sdp_keeps_audio_both_ways()
    {
        var alice = await PartyAsync("alice", sayHz: 1000, listenHz: 1700);
        var bob = await PartyAsync("bob", sayHz: 1700, listenHz: 1000);
        var ringing = bob.NextIncomingCall();
        var call = await alice.Agent.CallAsync(Uri("bob"));
        var bobsCall = await ringing.WaitAsync(Generous);
        Assert.Contains("100rel", ((Sip.Sessions.Invitation)bobsCall.Session).Request.Headers[Sip.Message.SipHeaderNames.Supported]);

        await bobsCall.ProgressAsync();
        await Eventually.True(() => call.State == CallState.EarlyMedia, "alice in early media");
        Assert.True(await alice.HearsToneAsync(TimeSpan.FromMilliseconds(300), Generous), "no early media");

        await bobsCall.AnswerAsync().WaitAsync(Generous);
        await call.Established.WaitAsync(Generous);
        Assert.True(await bob.HearsToneAsync(TimeSpan.FromMilliseconds(300), Generous), "bob did not hear alice");
        var before = await Party.PacketsReceivedAsync(call);
        await Task.Delay(500);
        Assert.True(await Party.PacketsReceivedAsync(call) > before + 10, "alice stopped receiving bob's audio after the answer");
        await call.HangupAsync();
        Assert.Equal(CallEndReason.RemoteHangup, (await bobsCall.Ended.WaitAsync(Generous)).Reason);
    }
}
