using Dialtone.Sip.Sdp;

namespace Dialtone.Legacy.Tests.Sdp;

public sealed class SdpMessageTests
{
    internal static string PlivoOfferSdp()
    {
        string invite = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "plivo-invite.sip"));
        string normalized = invite.Replace("\r\n", "\n", StringComparison.Ordinal);
        return normalized[(normalized.IndexOf("\n\n", StringComparison.Ordinal) + 2)..];
    }

    [Fact]
    public void ParsesTheCarrierOfferOfTheSeedFixture()
    {
        var sdp = SdpMessage.Parse(PlivoOfferSdp());

        Assert.Equal("FreeSWITCH", sdp.Origin.UserName);
        Assert.Equal(1425589313UL, sdp.Origin.SessionId);
        Assert.Equal("191.201.61.52", sdp.Connection!.Address);
        var audio = Assert.Single(sdp.Media);
        Assert.Equal(27706, audio.Port);
        Assert.True(audio.IsRtpAvp);
        Assert.Equal(["0", "8", "9", "98", "3", "101"], audio.Formats);
        Assert.Equal(20, audio.Ptime);
        var codecs = audio.Codecs;
        Assert.Equal(["PCMU", "PCMA", "G722", "SPEEX", "GSM", "telephone-event"], codecs.Select(c => c.Name));
        Assert.Equal("0-16", codecs.Single(c => c.IsTelephoneEvent).Fmtp);
        Assert.Equal(SdpDirection.SendRecv, sdp.DirectionOf(audio));
        Assert.Equal(MediaProfile.Plain, LegacyAudio.Classify(sdp));
    }

    [Fact]
    public void WritesWhatItReadsLineForLine()
    {
        string text = "v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\ns=-\r\ni=call\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=tool:x\r\n" +
                      "m=audio 4000 RTP/SAVP 0 101\r\nc=IN IP4 192.0.2.2\r\nb=AS:64\r\na=rtpmap:101 telephone-event/8000\r\n" +
                      "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4\r\na=sendonly\r\n" +
                      "m=video 0 RTP/AVP 96\r\n";
        var sdp = SdpMessage.Parse(text);
        Assert.Equal(text, sdp.ToString());
        var crypto = Assert.Single(sdp.Media[0].Cryptos);
        Assert.Equal(1, crypto.Tag);
        Assert.Equal("2^20", crypto.Lifetime);
        Assert.Equal("1:4", crypto.Mki);
        Assert.Equal(SdpDirection.SendOnly, sdp.DirectionOf(sdp.Media[0]));
        Assert.Equal("192.0.2.2", sdp.ConnectionFor(sdp.Media[0])!.Address);
    }

    [Theory]
    [InlineData("", "at least v= and o=")]
    [InlineData("o=- 1 1 IN IP4 1.2.3.4\r\n", "v=0")]
    [InlineData("v=1\r\n", "v=0")]
    [InlineData("v=0\r\ns=-\r\n", "o= must follow")]
    [InlineData("v=0\r\no=- x 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n", "o= needs")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nt=0 0\r\n", "no s=")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n", "no t=")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n", "no c=")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 99999 RTP/AVP 0\r\n", "bad port")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP\r\n", "m= needs")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IPX 1.2.3.4\r\nt=0 0\r\n", "c= must be")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nhello\r\n", "not a <type>=<value>")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n\r\ns=-\r\nt=0 0\r\n", "empty line")]
    public void MalformedBodiesThrowWithTheLine(string text, string expected)
    {
        var e = Assert.Throws<SdpParseException>(() => SdpMessage.Parse(text));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesOversizedBodiesBeforeParsing()
    {
        string huge = "v=0\r\n" + new string('a', SdpMessage.MaxLength);
        Assert.Throws<SdpParseException>(() => SdpMessage.Parse(huge));
    }

    [Fact]
    public void DynamicPayloadTypeWithoutRtpmapIsLeftOut()
    {
        var sdp = SdpMessage.Parse("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\n" +
                                   "m=audio 4000 RTP/AVP 96 0 97\r\na=rtpmap:97 opus/48000/2\r\na=fmtp:97 useinbandfec=1\r\n");
        var codecs = sdp.Media[0].Codecs;
        Assert.Equal(["PCMU", "opus"], codecs.Select(c => c.Name));
        Assert.Equal(2, codecs[1].Channels);
        Assert.Equal("useinbandfec=1", codecs[1].Fmtp);
    }
}
