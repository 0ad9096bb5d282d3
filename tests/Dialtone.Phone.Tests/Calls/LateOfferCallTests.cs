using System.Net;
using Dialtone.Phone.Media.Legacy;
using Dialtone.Sip.Sdp;
using Dialtone.Sip.Sessions;

namespace Dialtone.Phone.Tests.Calls;

/// <summary>
/// Late offer through the public API (<see cref="CallOptions.LateOffer"/>): the INVITE carries no SDP,
/// the callee offers in its 200 OK and our answer goes in the ACK — with real media, WebRTC and SDES-SRTP.
/// </summary>
public sealed class LateOfferCallTests : EmbeddedServerCallTests
{
    private static readonly LegacyMediaOptions SdesOffers = new() { OutgoingProfile = MediaProfile.Sdes, LocalAddress = IPAddress.Loopback, MediaTimeout = null };

    [Fact]
    public async Task A_webrtc_call_placed_with_a_late_offer_has_audio_both_ways()
    {
        var alice = await PartyAsync("alice", sayHz: 1000, listenHz: 1500);
        var bob = await PartyAsync("bob", sayHz: 1500, listenHz: 1000);
        var bobAnswers = bob.AnswerCalls();

        var call = await alice.Agent.CallAsync(Uri("bob"), new CallOptions { LateOffer = true });
        await call.Established.WaitAsync(Generous);
        var bobsCall = await bobAnswers.WaitAsync(Generous);
        await bobsCall.Established.WaitAsync(Generous);

        Assert.True(((Invitation)bobsCall.Session).Request.Body.IsEmpty, "the INVITE carried an offer");
        Assert.True(await bob.HearsToneAsync(TimeSpan.FromMilliseconds(300), Generous), "bob did not hear alice");
        Assert.True(await alice.HearsToneAsync(TimeSpan.FromMilliseconds(300), Generous), "alice did not hear bob");
        // An ordinary call from here: hold by re-INVITE and hang up.
        await call.HoldAsync();
        await Eventually.True(() => bobsCall.IsRemoteHold, "bob sees the hold");
        await call.HangupAsync();
        Assert.Equal(CallEndReason.RemoteHangup, (await bobsCall.Ended.WaitAsync(Generous)).Reason);
    }

    [Fact]
    public async Task An_sdes_call_placed_with_a_late_offer_takes_the_callees_sdes_offer_and_has_audio_both_ways()
    {
        var alice = await PartyAsync("alice", sayHz: 1000, listenHz: 1500, configure: o => o with { LegacyMedia = SdesOffers });
        var bob = await PartyAsync("bob", sayHz: 1500, listenHz: 1000, configure: o => o with { LegacyMedia = SdesOffers });
        var bobAnswers = bob.AnswerCalls();

        var call = await alice.Agent.CallAsync(Uri("bob"), new CallOptions { Media = MediaProfile.Sdes, LateOffer = true });
        await call.Established.WaitAsync(Generous);
        var bobsCall = await bobAnswers.WaitAsync(Generous);
        await bobsCall.Established.WaitAsync(Generous);

        Assert.True(((Invitation)bobsCall.Session).Request.Body.IsEmpty, "the INVITE carried an offer");
        Assert.NotNull(call.LegacyMedia);
        Assert.True(call.IsMediaEncrypted);
        Assert.Equal(MediaProfile.Sdes, call.LegacyMedia!.Profile);
        Assert.True(await bob.HearsToneAsync(TimeSpan.FromMilliseconds(300), Generous), "bob did not hear alice");
        Assert.True(await alice.HearsToneAsync(TimeSpan.FromMilliseconds(300), Generous), "alice did not hear bob");
    }

    [Fact]
    public async Task Plain_media_in_call_options_is_refused_before_anything_is_sent_unless_allowed()
    {
        var alice = await PartyAsync("alice");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => alice.Agent.CallAsync(Uri("bob"), new CallOptions { Media = MediaProfile.Plain, LateOffer = true }));
        Assert.Contains(LegacyMediaOptions.AllowUnencryptedOptionName, error.Message);
        Assert.Empty(alice.Agent.Calls);
    }
}
