using System.Net;
using System.Text.RegularExpressions;
using Dialtone.Legacy.Tests.Rtp;
using Dialtone.Legacy.Tests.Sdp;
using Dialtone.Phone.Media;
using Dialtone.Phone.Media.Legacy;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sdp;
using Dialtone.Sip.Sessions;
using Dialtone.WebRtc;
using Dialtone.WebRtc.Rtp;

namespace Dialtone.Legacy.Tests.Phone;

/// <summary>The Phone's legacy media handler and the media policy, on real engines over loopback.</summary>
public sealed class LegacyMediaHandlerTests : IAsyncLifetime
{
    private const double ToneUs = 1000;
    private const double TonePeer = 600;
    private PeerConnectionFactory factoryA = null!, factoryB = null!;
    private readonly List<IAsyncDisposable> disposables = [];

    private static readonly LegacyMediaOptions Loopback = new() { LocalAddress = IPAddress.Loopback, MediaTimeout = null };

    public Task InitializeAsync()
    {
        var options = new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = AudioProcessingOptions.Disabled };
        factoryA = new PeerConnectionFactory(options);
        factoryB = new PeerConnectionFactory(options);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var d in disposables)
        {
            await d.DisposeAsync();
        }

        factoryA.Dispose();
        factoryB.Dispose();
    }

    private T Track<T>(T disposable) where T : IAsyncDisposable
    {
        disposables.Add(disposable);
        return disposable;
    }

    private static SessionMediaRequest Incoming(string offer) =>
        new(SessionDirection.Incoming, offer, "application/sdp", UriReference.Parse("sip:dialtone@127.0.0.1"));

    private static async Task<bool> Eventually(Func<bool> condition, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition();
    }

    private static Task<bool> Hears(TonePump pump, double tone, double other) => Eventually(() =>
    {
        short[] heard = pump.Recent(24000);
        double wanted = heard.Length == 24000 ? TonePump.Amplitude(heard, tone) : 0;
        return wanted > 800 && wanted > 5 * TonePump.Amplitude(heard, other);
    });

    [Fact]
    public void PolicyRefusesTheCarriersPlainOfferByDefault_NamingTheOption()
    {
        var policy = new MediaPolicy(factoryA, new WebRtcMediaHandlerFactory(factoryA, new CallMediaOptions()), Loopback);
        var e = Assert.Throws<SessionMediaException>(() => policy.Create(Incoming(SdpMessageTests.PlivoOfferSdp())));
        Assert.Equal(488, e.StatusCode);
        Assert.Equal(305, e.WarningCode);
        Assert.Contains("LegacyMediaOptions.AllowUnencryptedMedia", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyRoutesEachOfferToItsPath()
    {
        var allow = Loopback with { AllowUnencryptedMedia = true };
        var policy = new MediaPolicy(factoryA, new WebRtcMediaHandlerFactory(factoryA, new CallMediaOptions()), allow);

        var plain = Assert.IsType<LegacyMediaHandler>(Track(policy.Create(Incoming(SdpMessageTests.PlivoOfferSdp()))));
        Assert.False(plain.IsEncrypted);

        string sdes = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/SAVP 0\r\n" +
                      "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n";
        Assert.True(Assert.IsType<LegacyMediaHandler>(Track(new MediaPolicy(factoryA, new WebRtcMediaHandlerFactory(factoryA, new CallMediaOptions()), Loopback).Create(Incoming(sdes)))).IsEncrypted);

        // A real WebRTC offer (from a peer connection) takes the WebRTC handler.
        await using var pc = factoryB.CreatePeerConnection(new PeerConnectionConfiguration());
        pc.AddAudioTrack();
        var offer = await pc.CreateOfferAsync();
        Assert.IsType<WebRtcMediaHandler>(Track(policy.Create(Incoming(offer.Sdp))));

        Assert.Throws<SessionMediaException>(() => policy.Create(Incoming("v=0\r\nnot sdp")));
        var outgoingPlain = new MediaPolicy(factoryA, new WebRtcMediaHandlerFactory(factoryA, new CallMediaOptions()), Loopback with { OutgoingProfile = MediaProfile.Plain });
        Assert.Throws<SessionMediaException>(() => outgoingPlain.Create(new SessionMediaRequest(SessionDirection.Outgoing, null, null, UriReference.Parse("sip:carrier@127.0.0.1"))));
    }

    [Fact]
    public async Task TheCarriersOfferIsAnsweredWithG711AndTelephoneEvent_AudioAndDtmfFlowBothWays()
    {
        // The carrier: a plain RTP session on its own factory, at the address its SDP names (moved
        // to loopback: tests send nothing beyond it).
        var carrier = Track(RtpSession.Create(factoryB, new RtpSessionOptions { LocalAddress = IPAddress.Loopback }));
        string offer = SdpMessageTests.PlivoOfferSdp()
            .Replace("191.201.61.52", "127.0.0.1", StringComparison.Ordinal)
            .Replace("m=audio 27706 ", $"m=audio {carrier.LocalRtpPort} ", StringComparison.Ordinal);
        var policy = new MediaPolicy(factoryA, new WebRtcMediaHandlerFactory(factoryA, new CallMediaOptions()), Loopback with { AllowUnencryptedMedia = true });
        var handler = Assert.IsType<LegacyMediaHandler>(Track(policy.Create(Incoming(offer))));

        var info = await handler.SetRemoteOfferAsync(offer, CancellationToken.None);
        Assert.False(info.IsHold);
        string answer = await handler.CreateAnswerAsync(CancellationToken.None);
        Assert.Equal(answer, await handler.CreateAnswerAsync(CancellationToken.None));
        Assert.Matches(new Regex(@"m=audio \d+ RTP/AVP 0 8 9 101\r\n"), answer);
        Assert.Contains("a=rtpmap:101 telephone-event/8000", answer, StringComparison.Ordinal);

        // The carrier reads our answer as FreeSWITCH would: PCMU, telephone-event 101.
        var ours = SdpMessage.Parse(answer);
        var pcmu = new RtpCodec(0, "PCMU", 8000);
        var te = new RtpCodec(101, "telephone-event", 8000, 1, "0-16");
        await carrier.ConfigureAsync(new RtpSessionConfiguration
        {
            RemoteAddress = IPAddress.Parse(ours.Connection!.Address),
            RemoteRtpPort = ours.Media[0].Port,
            SendCodec = pcmu,
            SendTelephoneEvent = te,
            ReceiveCodecs = [pcmu, RtpCodec.Pcma, RtpCodec.G722, te],
        });

        var carrierDigits = new List<char>();
        var ourDigits = new List<char>();
        carrier.DtmfReceived += (_, e) => { if (e.Ended) { lock (carrierDigits) { carrierDigits.Add(e.Tone!.Value); } } };
        handler.DtmfReceived += (_, e) => { if (e.Ended) { lock (ourDigits) { ourDigits.Add(e.Tone!.Value); } } };

        using var usPump = new TonePump(factoryA.VirtualAudio!, ToneUs);
        using var carrierPump = new TonePump(factoryB.VirtualAudio!, TonePeer);
        Assert.True(await Hears(carrierPump, ToneUs, TonePeer), "the carrier hears us");
        Assert.True(await Hears(usPump, TonePeer, ToneUs), "we hear the carrier");

        Assert.True(handler.CanSendDtmf);
        handler.SendDtmf("123#", TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(70));
        carrier.SendDtmf("9*", TimeSpan.FromMilliseconds(100));
        Assert.True(await Eventually(() => { lock (carrierDigits) { return carrierDigits.Count == 4; } }));
        Assert.True(await Eventually(() => { lock (ourDigits) { return ourDigits.Count == 2; } }));
        Assert.Equal("123#", new string([.. carrierDigits]));
        Assert.Equal("9*", new string([.. ourDigits]));
        Assert.Equal(0, handler.Negotiated!.SendCodec.PayloadType);
    }

    [Fact]
    public async Task TwoHandlersCallOverSdes_HoldAndResumeByReInvite()
    {
        var a = Track(new LegacyMediaHandler(factoryA, Loopback, MediaProfile.Sdes));
        var b = Track(new LegacyMediaHandler(factoryB, Loopback, MediaProfile.Sdes));

        string offer = await a.CreateOfferAsync(new SessionOfferOptions(), CancellationToken.None);
        Assert.Contains("RTP/SAVP", offer, StringComparison.Ordinal);
        await b.SetRemoteOfferAsync(offer, CancellationToken.None);
        await a.SetRemoteAnswerAsync(await b.CreateAnswerAsync(CancellationToken.None), false, CancellationToken.None);

        using var pumpA = new TonePump(factoryA.VirtualAudio!, ToneUs);
        using var pumpB = new TonePump(factoryB.VirtualAudio!, TonePeer);
        Assert.True(await Hears(pumpB, ToneUs, TonePeer));
        Assert.True(await Hears(pumpA, TonePeer, ToneUs));
        Assert.Equal(0UL, b.GetStatistics().DroppedSrtp);

        // A holds B (sendonly); B answers recvonly and stops sending.
        var hold = await a.CreateOfferAsync(new SessionOfferOptions(Hold: true), CancellationToken.None);
        Assert.Contains("a=sendonly", hold, StringComparison.Ordinal);
        Assert.True((await b.SetRemoteOfferAsync(hold, CancellationToken.None)).IsHold);
        await a.SetRemoteAnswerAsync(await b.CreateAnswerAsync(CancellationToken.None), false, CancellationToken.None);
        Assert.True(a.IsSending);
        Assert.False(a.IsReceiving);
        Assert.False(b.IsSending);
        await Task.Delay(300);
        ulong held = b.GetStatistics().RtpPacketsSent;
        await Task.Delay(600);
        Assert.Equal(held, b.GetStatistics().RtpPacketsSent);

        // Resume.
        var resume = await a.CreateOfferAsync(new SessionOfferOptions(), CancellationToken.None);
        Assert.False((await b.SetRemoteOfferAsync(resume, CancellationToken.None)).IsHold);
        await a.SetRemoteAnswerAsync(await b.CreateAnswerAsync(CancellationToken.None), false, CancellationToken.None);
        Assert.True(await Eventually(() => b.GetStatistics().RtpPacketsSent > held + 20));
        Assert.True(await Hears(pumpA, TonePeer, ToneUs));
    }

    [Fact]
    public async Task UnusableBodiesAreRefusedAs488()
    {
        var handler = Track(new LegacyMediaHandler(factoryA, Loopback, MediaProfile.Sdes));
        var e = await Assert.ThrowsAsync<SessionMediaException>(() => handler.SetRemoteOfferAsync(SdpMessageTests.PlivoOfferSdp(), CancellationToken.None));
        Assert.Contains("no RTP/SAVP audio stream", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<SessionMediaException>(() => handler.SetRemoteOfferAsync("garbage", CancellationToken.None));
        await Assert.ThrowsAsync<SessionMediaException>(() => handler.SetRemoteAnswerAsync("v=0", false, CancellationToken.None));
    }
}
