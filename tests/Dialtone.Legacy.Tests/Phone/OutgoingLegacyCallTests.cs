using System.Net;
using Dialtone.Legacy.Tests.Rtp;
using Dialtone.Phone;
using Dialtone.Phone.Media.Legacy;
using Dialtone.Server;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sdp;
using Dialtone.WebRtc;

namespace Dialtone.Legacy.Tests.Phone;

/// <summary>
/// Outgoing calls with a per-call media choice through the public API: alice's
/// <c>UserAgent.CallAsync(target, MediaProfile)</c> reaches bob (another user agent, same embedded
/// server) with SDES-SRTP or plain RTP, whatever alice's account default is; plain is refused
/// before anything is sent unless unencrypted media is allowed.
/// </summary>
public sealed class OutgoingLegacyCallTests : IAsyncLifetime
{
    private EmbeddedSipServer _server = null!;
    private UserAgent _bob = null!;

    public async Task InitializeAsync()
    {
        _server = await EmbeddedSipServer.StartAsync();
        _bob = await StartAsync("bob", new LegacyMediaOptions { AllowUnencryptedMedia = true, LocalAddress = IPAddress.Loopback, MediaTimeout = null });
        await _bob.RegisterAsync();
    }

    public async Task DisposeAsync()
    {
        await _bob.DisposeAsync();
        await _server.DisposeAsync();
    }

    private Task<UserAgent> StartAsync(string user, LegacyMediaOptions? legacy) => UserAgent.StartAsync(new UserAgentOptions
    {
        Server = _server.WebSocketUri.ToString(),
        AddressOfRecord = SipUri.Parse($"sip:{user}@{_server.Domain}"),
        Audio = new PeerConnectionFactoryOptions
        {
            AudioDevice = AudioDeviceKind.Virtual,
            AudioProcessing = new AudioProcessingOptions { NoiseSuppression = false, AutoGainControl = false },
        },
        LegacyMedia = legacy,
    });

    [Theory]
    [InlineData(MediaProfile.Sdes, true)]
    [InlineData(MediaProfile.Plain, false)]
    public async Task ACallWithAChosenLegacyProfileReachesThePeer_TonesAndDtmfBothWays(MediaProfile profile, bool encrypted)
    {
        // Alice's account default is WebRTC: the per-call choice overrides it.
        await using var alice = await StartAsync("alice", new LegacyMediaOptions { AllowUnencryptedMedia = true, LocalAddress = IPAddress.Loopback, MediaTimeout = null });
        var bobCall = new TaskCompletionSource<Call>(TaskCreationOptions.RunContinuationsAsynchronously);
        _bob.IncomingCall += async (_, e) =>
        {
            bobCall.TrySetResult(e.Call);
            await e.Call.AnswerAsync();
        };

        var call = await alice.CallAsync($"sip:bob@{_server.Domain}", profile);
        await call.Established.WaitAsync(TimeSpan.FromSeconds(20));
        var answered = await bobCall.Task.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.NotNull(call.LegacyMedia);
        Assert.NotNull(answered.LegacyMedia);
        Assert.Equal(profile, call.LegacyMedia.Profile);
        Assert.Equal(profile, answered.LegacyMedia.Profile);
        Assert.Equal(encrypted, call.IsMediaEncrypted);
        Assert.Equal(encrypted, answered.IsMediaEncrypted);
        Assert.Throws<InvalidOperationException>(() => call.PeerConnection);

        using var alicePump = new TonePump(alice.MediaFactory.VirtualAudio!, 1000);
        using var bobPump = new TonePump(_bob.MediaFactory.VirtualAudio!, 600);
        Assert.True(await Tones.HearsAsync(bobPump, 1000, 600), "bob hears alice");
        Assert.True(await Tones.HearsAsync(alicePump, 600, 1000), "alice hears bob");

        var aliceDigits = new List<char>();
        var bobDigits = new List<char>();
        call.DtmfReceived += (_, e) => { lock (aliceDigits) { aliceDigits.Add(e.Digit); } };
        answered.DtmfReceived += (_, e) => { lock (bobDigits) { bobDigits.Add(e.Digit); } };
        await call.SendDtmfAsync("7*");
        await answered.SendDtmfAsync("3");
        Assert.True(await Tones.EventuallyAsync(() => { lock (bobDigits) { return bobDigits.Count == 2; } }));
        Assert.True(await Tones.EventuallyAsync(() => { lock (aliceDigits) { return aliceDigits.Count == 1; } }));
        Assert.Equal("7*", new string([.. bobDigits]));
        Assert.Equal("3", new string([.. aliceDigits]));

        var stats = call.LegacyMedia.GetStatistics();
        Assert.True(stats.RtpPacketsReceived > 0 && stats.RtpPacketsSent > 0);
        Assert.Equal(0UL, stats.DroppedSrtp);
        await call.HangupAsync();
        await answered.Ended.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task WithoutAnAdvertisedAddressTheOfferNamesTheAddressTheSipFlowLeavesFrom()
    {
        // RTP bound to every address, no AdvertisedAddress: the c= line must be where the server (on
        // loopback here) reaches us, not the host's first network interface.
        await using var dave = await StartAsync("dave", new LegacyMediaOptions { MediaTimeout = null });
        var bobCall = new TaskCompletionSource<Call>(TaskCreationOptions.RunContinuationsAsynchronously);
        _bob.IncomingCall += async (_, e) =>
        {
            bobCall.TrySetResult(e.Call);
            await e.Call.AnswerAsync();
        };

        var call = await dave.CallAsync($"sip:bob@{_server.Domain}", MediaProfile.Sdes);
        await call.Established.WaitAsync(TimeSpan.FromSeconds(20));
        var answered = await bobCall.Task.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(IPAddress.Loopback.ToString(), answered.LegacyMedia!.Negotiated!.RemoteAddress);
        using var davePump = new TonePump(dave.MediaFactory.VirtualAudio!, 1000);
        using var bobPump = new TonePump(_bob.MediaFactory.VirtualAudio!, 600);
        Assert.True(await Tones.HearsAsync(bobPump, 1000, 600), "bob hears dave at the advertised address");
        await call.HangupAsync();
        await answered.Ended.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task PlainRtpIsRefusedBeforeAnythingIsSent_UnlessUnencryptedMediaIsAllowed()
    {
        await using var carol = await StartAsync("carol", legacy: null);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => carol.CallAsync($"sip:bob@{_server.Domain}", MediaProfile.Plain));
        Assert.Contains("LegacyMediaOptions.AllowUnencryptedMedia", e.Message);
        Assert.Empty(carol.Calls);

        // SDES needs no option: secure defaults when the account has no LegacyMedia.
        var bobCall = new TaskCompletionSource<Call>(TaskCreationOptions.RunContinuationsAsynchronously);
        _bob.IncomingCall += (_, e) => bobCall.TrySetResult(e.Call);
        var call = await carol.CallAsync($"sip:bob@{_server.Domain}", MediaProfile.Sdes);
        var ringing = await bobCall.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(ringing.IsMediaEncrypted);
        Assert.Equal(MediaProfile.Sdes, ringing.LegacyMedia!.Profile);
        await ringing.RejectAsync(486);
        var end = await call.Ended.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(486, end.StatusCode);
    }

    [Fact]
    public async Task OneProcessHoldsAWebRtcCallAndAnSdesCallAtOnce_EachPeerHearsIt()
    {
        // alice (1000 Hz) calls bob over WebRTC and carol over SDES on the same engine and device:
        // both peers hear alice, and alice hears both peers mixed.
        await using var alice = await StartAsync("alice", new LegacyMediaOptions { LocalAddress = IPAddress.Loopback, MediaTimeout = null });
        await using var carol = await StartAsync("carol", new LegacyMediaOptions { LocalAddress = IPAddress.Loopback, MediaTimeout = null });
        await carol.RegisterAsync();
        _bob.IncomingCall += async (_, e) => await e.Call.AnswerAsync();
        carol.IncomingCall += async (_, e) => await e.Call.AnswerAsync();

        var webRtc = await alice.CallAsync($"sip:bob@{_server.Domain}", MediaProfile.WebRtc);
        var sdes = await alice.CallAsync($"sip:carol@{_server.Domain}", MediaProfile.Sdes);
        await Task.WhenAll(webRtc.Established, sdes.Established).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Null(webRtc.LegacyMedia);
        Assert.NotNull(webRtc.PeerConnection);
        Assert.Equal(MediaProfile.Sdes, sdes.LegacyMedia!.Profile);
        Assert.Equal(2, alice.Calls.Count);

        using var alicePump = new TonePump(alice.MediaFactory.VirtualAudio!, 1000);
        using var bobPump = new TonePump(_bob.MediaFactory.VirtualAudio!, 600);
        using var carolPump = new TonePump(carol.MediaFactory.VirtualAudio!, 1400);
        Assert.True(await Tones.HearsAsync(bobPump, 1000, 600), "bob (WebRTC) hears alice");
        Assert.True(await Tones.HearsAsync(carolPump, 1000, 1400), "carol (SDES) hears alice");
        Assert.True(await Tones.EventuallyAsync(() =>
        {
            short[] heard = alicePump.Recent(24000);
            return heard.Length == 24000 && TonePump.Amplitude(heard, 600) > 300 && TonePump.Amplitude(heard, 1400) > 300;
        }), "alice hears bob and carol");
    }
}
