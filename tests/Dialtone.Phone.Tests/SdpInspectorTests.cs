using Dialtone.Phone.Media;

namespace Dialtone.Phone.Tests;

public sealed class SdpInspectorTests
{
    private const string Session = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

    [Theory]
    [InlineData("a=sendonly", MediaDirection.SendOnly)]
    [InlineData("a=recvonly", MediaDirection.RecvOnly)]
    [InlineData("a=inactive", MediaDirection.Inactive)]
    [InlineData("a=sendrecv", MediaDirection.SendRecv)]
    [InlineData("a=rtcp-mux", MediaDirection.SendRecv)]
    public void Reads_the_audio_direction(string attribute, MediaDirection expected)
    {
        var sdp = Session + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n" + attribute + "\r\n";
        Assert.Equal(expected, SdpInspector.AudioDirection(sdp));
    }

    [Fact]
    public void Audio_section_overrides_the_session_level_and_other_sections_do_not_count()
    {
        var sdp = Session + "a=sendonly\r\nm=audio 9 RTP/AVP 0\r\na=sendrecv\r\nm=video 9 RTP/AVP 96\r\na=inactive\r\n";
        Assert.Equal(MediaDirection.SendRecv, SdpInspector.AudioDirection(sdp));
        Assert.Equal(MediaDirection.SendOnly, SdpInspector.AudioDirection(Session + "a=sendonly\r\nm=audio 9 RTP/AVP 0\r\n"));
    }

    [Fact]
    public void Recognises_hold_by_direction_only()
    {
        Assert.True(SdpInspector.IsHold(Session + "m=audio 9 RTP/AVP 0\r\na=inactive\r\n"));
        Assert.False(SdpInspector.IsHold(Session + "c=IN IP4 0.0.0.0\r\nm=audio 9 RTP/AVP 0\r\n"));
        Assert.False(SdpInspector.IsHold(Session + "c=IN IP4 10.0.0.1\r\nm=audio 9 RTP/AVP 0\r\na=recvonly\r\n"));
    }
}
