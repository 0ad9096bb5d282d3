namespace Dialtone.Phone.Tests.Calls;

/// <summary>
/// Real calls: two user agents register over WebSocket with the embedded registrar/proxy and call
/// each other with libwebrtc media (ICE on loopback, DTLS-SRTP, Opus), each saying its own tone.
/// </summary>
public sealed class CallThroughEmbeddedServerTests : EmbeddedServerCallTests
{
    [Fact]
    public async Task Alice_calls_bob_each_hears_the_other_and_bob_sees_the_hangup()
    {
        var alice = await PartyAsync("alice", sayHz: 1000, listenHz: 1600);
        var bob = await PartyAsync("bob", sayHz: 1600, listenHz: 1000);
        var incoming = bob.AnswerCalls();
        var call = await alice.Agent.CallAsync($"sip:bob@{Server.Domain}");
        await call.Established.WaitAsync(Generous);
        var bobsCall = await incoming.WaitAsync(Generous);
        await bobsCall.Established.WaitAsync(Generous);

        Assert.True(await bob.HearsToneAsync(TimeSpan.FromMilliseconds(500), Generous), "bob did not hear alice's 1000 Hz tone");
        Assert.True(await alice.HearsToneAsync(TimeSpan.FromMilliseconds(500), Generous), "alice did not hear bob's 1600 Hz tone");

        await call.HangupAsync();
        Assert.Equal(CallEndReason.LocalHangup, (await call.Ended.WaitAsync(Generous)).Reason);
        Assert.Equal(CallEndReason.RemoteHangup, (await bobsCall.Ended.WaitAsync(Generous)).Reason);
    }

}
