using System.Net;
using Dialtone.Sip.Sdp;

namespace Dialtone.Legacy.Tests.Sdp;

public sealed class LegacyAudioTests
{
    private static readonly IPAddress Local = IPAddress.Parse("192.0.2.10");

    private static LegacyAudioOptions Options(MediaProfile profile, SdpDirection direction = SdpDirection.SendRecv) => new()
    {
        Address = Local,
        RtpPort = 40000,
        Profile = profile,
        Direction = direction,
        SessionId = 42,
        SessionVersion = 1,
    };

    private static SdpMessage Offer(string media, string connection = "198.51.100.7") =>
        SdpMessage.Parse($"v=0\r\no=peer 1 1 IN IP4 {connection}\r\ns=-\r\nc=IN IP4 {connection}\r\nt=0 0\r\n{media}");

    [Fact]
    public void AnswersTheCarrierOfferWithG711AndTelephoneEvent()
    {
        var offer = SdpMessage.Parse(SdpMessageTests.PlivoOfferSdp());
        var (answer, result) = LegacyAudio.CreateAnswer(offer, Options(MediaProfile.Plain));

        var text = answer.ToString();
        Assert.Contains("m=audio 40000 RTP/AVP 0 8 9 101\r\n", text, StringComparison.Ordinal);
        Assert.Contains("c=IN IP4 192.0.2.10\r\n", text, StringComparison.Ordinal);
        Assert.Contains("a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n", text, StringComparison.Ordinal);
        Assert.Contains("a=ptime:20\r\n", text, StringComparison.Ordinal);
        Assert.Contains("a=sendrecv\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("SPEEX", text, StringComparison.Ordinal);
        Assert.DoesNotContain("crypto", text, StringComparison.Ordinal);

        Assert.Equal("191.201.61.52", result.RemoteAddress);
        Assert.Equal(27706, result.RemoteRtpPort);
        Assert.Equal("PCMU", result.SendCodec.Name);
        Assert.Equal(101, result.SendTelephoneEvent!.PayloadType);
        Assert.Equal(SdpDirection.SendRecv, result.LocalDirection);
        Assert.False(result.RemoteHold);
        Assert.Equal(20, result.RemotePtime);
        Assert.Equal([0, 8, 9, 101], result.ReceiveCodecs.Select(c => c.PayloadType));
        // The answer parses back as what it says.
        Assert.Equal(MediaProfile.Plain, LegacyAudio.Classify(SdpMessage.Parse(text)));
    }

    [Fact]
    public void SdesOfferGetsTheSameTagAndSuiteWithOurOwnKey()
    {
        var offer = Offer("m=audio 5000 RTP/SAVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\n" +
                          "a=crypto:1 AES_CM_256_HMAC_SHA1_80 inline:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n" +
                          "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n");
        var (answer, result) = LegacyAudio.CreateAnswer(offer, Options(MediaProfile.Sdes));

        var crypto = Assert.Single(answer.Media[0].Cryptos);
        Assert.Equal(2, crypto.Tag);
        Assert.Equal(LegacyAudio.SuiteSha1_32, crypto.Suite);
        Assert.NotEqual("WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz", crypto.KeyBase64);
        Assert.Equal(30, Convert.FromBase64String(crypto.KeyBase64).Length);
        Assert.Equal(crypto.KeyBase64, result.LocalKey);
        Assert.Equal("WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz", result.RemoteKey);
        Assert.Equal("RTP/SAVP", answer.Media[0].Protocol);
        Assert.Equal("PCMA", result.SendCodec.Name);
    }

    [Fact]
    public void OurSdesOfferAndThePeersAnswerGiveBothKeys()
    {
        var offer = LegacyAudio.CreateOffer(Options(MediaProfile.Sdes));
        var cryptos = offer.Media[0].Cryptos.ToList();
        Assert.Equal([LegacyAudio.SuiteSha1_80, LegacyAudio.SuiteSha1_32], cryptos.Select(c => c.Suite));
        Assert.NotEqual(cryptos[0].KeyBase64, cryptos[1].KeyBase64);

        // The peer answers with its own LegacyAudio (as a second Dialtone would).
        var peer = Options(MediaProfile.Sdes) with { Address = IPAddress.Parse("198.51.100.7"), RtpPort = 5000 };
        var (answer, theirResult) = LegacyAudio.CreateAnswer(SdpMessage.Parse(offer.ToString()), peer);
        var ours = LegacyAudio.ReadAnswer(offer, SdpMessage.Parse(answer.ToString()), MediaProfile.Sdes);

        Assert.Equal(theirResult.RemoteKey, ours.LocalKey);
        Assert.Equal(theirResult.LocalKey, ours.RemoteKey);
        Assert.Equal(LegacyAudio.SuiteSha1_80, ours.CryptoSuite);
        Assert.Equal("198.51.100.7", ours.RemoteAddress);
        Assert.Equal(5000, ours.RemoteRtpPort);
        Assert.Equal(5001, ours.RemoteRtcpPort);
        Assert.Equal("PCMU", ours.SendCodec.Name);
        Assert.Equal(101, ours.SendTelephoneEvent!.PayloadType);
    }

    [Fact]
    public void OpusAndDynamicPayloadTypesFollowTheOfferersNumbers()
    {
        var offer = Offer("m=audio 5000 RTP/AVP 109 120\r\na=rtpmap:109 opus/48000/2\r\na=fmtp:109 useinbandfec=1\r\n" +
                          "a=rtpmap:120 telephone-event/48000\r\n");
        var (answer, result) = LegacyAudio.CreateAnswer(offer, Options(MediaProfile.Plain));
        Assert.Equal(["109", "120"], answer.Media[0].Formats);
        Assert.Equal(109, result.SendCodec.PayloadType);
        Assert.Equal("opus", result.SendCodec.Name);
        Assert.Equal(120, result.SendTelephoneEvent!.PayloadType);
        Assert.Equal(48000, result.SendTelephoneEvent.ClockRate);
    }

    [Fact]
    public void HoldOffersAreAnsweredAccordingToRfc3264()
    {
        var sendonly = Offer("m=audio 5000 RTP/AVP 0\r\na=sendonly\r\n");
        var (answer, result) = LegacyAudio.CreateAnswer(sendonly, Options(MediaProfile.Plain));
        Assert.Equal(SdpDirection.RecvOnly, answer.DirectionOf(answer.Media[0]));
        Assert.True(result.RemoteHold);

        var inactive = Offer("m=audio 5000 RTP/AVP 0\r\na=inactive\r\n");
        Assert.Equal(SdpDirection.Inactive, LegacyAudio.CreateAnswer(inactive, Options(MediaProfile.Plain)).Result.LocalDirection);

        var zeroAddress = Offer("m=audio 5000 RTP/AVP 0\r\n", connection: "0.0.0.0");
        var held = LegacyAudio.CreateAnswer(zeroAddress, Options(MediaProfile.Plain)).Result;
        Assert.True(held.RemoteHold);
        Assert.Equal(SdpDirection.RecvOnly, held.LocalDirection);

        // We hold: our sendonly offer; the peer answers recvonly.
        var ourHold = LegacyAudio.CreateOffer(Options(MediaProfile.Plain, SdpDirection.SendOnly));
        Assert.Contains("a=sendonly\r\n", ourHold.ToString(), StringComparison.Ordinal);
        var peer = Options(MediaProfile.Plain) with { Address = IPAddress.Parse("198.51.100.7") };
        var (peerAnswer, _) = LegacyAudio.CreateAnswer(SdpMessage.Parse(ourHold.ToString()), peer);
        Assert.Equal(SdpDirection.RecvOnly, peerAnswer.DirectionOf(peerAnswer.Media[0]));
        Assert.Equal(SdpDirection.SendOnly, LegacyAudio.ReadAnswer(ourHold, peerAnswer, MediaProfile.Plain).LocalDirection);
    }

    [Fact]
    public void OtherStreamsAreRejectedWithPortZero()
    {
        var offer = Offer("m=video 6000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\nm=audio 5000 RTP/AVP 0\r\nm=audio 7000 RTP/AVP 8\r\n");
        var (answer, result) = LegacyAudio.CreateAnswer(offer, Options(MediaProfile.Plain));
        Assert.Equal(3, answer.Media.Count);
        Assert.Equal(0, answer.Media[0].Port);
        Assert.Equal("video", answer.Media[0].Media);
        Assert.Equal(40000, answer.Media[1].Port);
        Assert.Equal(0, answer.Media[2].Port);
        Assert.Equal(5000, result.RemoteRtpPort);
    }

    [Fact]
    public void RtcpAttributesAndMuxAreRead()
    {
        var offer = Offer("m=audio 5000 RTP/AVP 0\r\na=rtcp:5011 IN IP4 198.51.100.8\r\na=rtcp-mux\r\n");
        var (answer, result) = LegacyAudio.CreateAnswer(offer, Options(MediaProfile.Plain));
        Assert.Equal(5011, result.RemoteRtcpPort);
        Assert.True(result.RtcpMux);
        Assert.True(answer.Media[0].RtcpMux);
    }

    [Theory]
    [InlineData("m=audio 5000 RTP/AVP 18 4\r\n", MediaProfile.Plain, "no common audio codec (offered: G729/8000, G723/8000; supported: PCMU/8000")]
    [InlineData("m=audio 5000 RTP/AVP 0\r\n", MediaProfile.Sdes, "no RTP/SAVP audio stream in the offer (offered: audio RTP/AVP)")]
    [InlineData("m=audio 5000 RTP/SAVP 0\r\n", MediaProfile.Sdes, "without a usable a=crypto")]
    [InlineData("m=audio 5000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz UNENCRYPTED_SRTP\r\n", MediaProfile.Sdes, "without a usable a=crypto")]
    [InlineData("m=audio 5000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=\r\n", MediaProfile.Sdes, "without a usable a=crypto")]
    [InlineData("m=audio 0 RTP/AVP 0\r\n", MediaProfile.Plain, "no active media stream")]
    [InlineData("m=audio 5000 RTP/AVPF 0\r\n", MediaProfile.Plain, "no RTP/AVP audio stream in the offer (offered: audio RTP/AVPF)")]
    public void UnsupportedOffersThrowAClearReason(string media, MediaProfile profile, string expected)
    {
        var e = Assert.Throws<SdpNegotiationException>(() => LegacyAudio.CreateAnswer(Offer(media), Options(profile)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClassifiesWebRtcOffers()
    {
        var offer = Offer("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\na=fingerprint:sha-256 AB\r\n");
        Assert.Equal(MediaProfile.WebRtc, LegacyAudio.Classify(offer));
        Assert.Equal(MediaProfile.Sdes, LegacyAudio.Classify(Offer("m=audio 5000 RTP/SAVP 0\r\n")));
        Assert.Null(LegacyAudio.Classify(Offer("m=video 5000 RTP/AVP 96\r\n")));
    }

    [Fact]
    public void AnswersThatBreakTheOfferAreRefused()
    {
        var offer = LegacyAudio.CreateOffer(Options(MediaProfile.Plain));
        var refused = Offer("m=audio 0 RTP/AVP 0\r\n");
        Assert.Contains("refused", Assert.Throws<SdpNegotiationException>(() => LegacyAudio.ReadAnswer(offer, refused, MediaProfile.Plain)).Message, StringComparison.Ordinal);
        var foreign = Offer("m=audio 5000 RTP/AVP 18\r\n");
        Assert.Contains("none of the offered codecs", Assert.Throws<SdpNegotiationException>(() => LegacyAudio.ReadAnswer(offer, foreign, MediaProfile.Plain)).Message, StringComparison.Ordinal);
        var changed = Offer("m=audio 5000 RTP/SAVP 0\r\n");
        Assert.Contains("changed the transport", Assert.Throws<SdpNegotiationException>(() => LegacyAudio.ReadAnswer(offer, changed, MediaProfile.Plain)).Message, StringComparison.Ordinal);
    }
}
