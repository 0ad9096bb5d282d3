using System.Text;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Tests.Transport;

public class SipStreamFramerTests
{
    private const string Options =
        "OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nContent-Length: 5\r\n\r\nhello";

    private static List<(SipStreamFrameKind Kind, string Text)> Feed(SipStreamFramer framer, byte[] data, int chunk)
    {
        var frames = new List<(SipStreamFrameKind, string)>();
        var offset = 0;
        while (offset < data.Length)
        {
            // Like a socket read: at most one chunk, and no more than the framer has room for.
            var target = framer.GetReceiveBuffer();
            var n = Math.Min(Math.Min(chunk, data.Length - offset), target.Length);
            data.AsSpan(offset, n).CopyTo(target.Span);
            framer.Commit(n);
            offset += n;
            while (true)
            {
                var kind = framer.TryRead(out var message);
                if (kind == SipStreamFrameKind.None)
                    break;
                frames.Add((kind, Encoding.ASCII.GetString(message)));
            }
        }
        return frames;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void Splits_back_to_back_messages_whatever_the_read_sizes(int chunk)
    {
        var response = "SIP/2.0 200 OK\r\nl: 0\r\n\r\n";
        var data = Encoding.ASCII.GetBytes(Options + response + Options);
        var frames = Feed(new SipStreamFramer(1024), data, chunk);
        Assert.Equal([(SipStreamFrameKind.Message, Options), (SipStreamFrameKind.Message, response), (SipStreamFrameKind.Message, Options)], frames);
    }

    [Fact]
    public void Recognises_keep_alive_ping_and_pong_between_messages()
    {
        var data = Encoding.ASCII.GetBytes("\r\n\r\n" + Options + "\r\n");
        var frames = Feed(new SipStreamFramer(1024), data, 4096);
        Assert.Equal([SipStreamFrameKind.Ping, SipStreamFrameKind.Message, SipStreamFrameKind.Pong], frames.Select(f => f.Kind));
    }

    [Fact]
    public void Header_name_match_is_case_insensitive_and_body_length_is_honoured()
    {
        var message = "SIP/2.0 200 OK\r\ncontent-length:   3\r\n\r\nabc";
        var frames = Feed(new SipStreamFramer(1024), Encoding.ASCII.GetBytes(message + message), 4096);
        Assert.Equal(2, frames.Count);
        Assert.All(frames, f => Assert.Equal(message, f.Text));
    }

    [Theory]
    [InlineData("OPTIONS sip:bob@example.com SIP/7.0")]
    [InlineData("OPTIONS  sip:bob@example.com SIP/2.0")]
    [InlineData("OPTIONS sip:bob@example.com")]
    [InlineData("OPTIONS sip:bob@example.com sip/2.0")]
    public void A_request_line_the_parser_will_refuse_is_still_framed_so_the_stack_can_answer_it(string requestLine)
    {
        // RFC 3261 §8.2: 505 for another version, 400 for a broken request line — on streams too,
        // and the connection goes on with the next message.
        var bad = requestLine + "\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nContent-Length: 2\r\n\r\nhi";
        var frames = Feed(new SipStreamFramer(1024), Encoding.ASCII.GetBytes(bad + Options), 7);
        Assert.Equal([(SipStreamFrameKind.Message, bad), (SipStreamFrameKind.Message, Options)], frames);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r\n", "does not start with a SIP")]
    [InlineData("\x16\x03\x01\x02\x00\x01\r\nContent-Length: 0\r\n\r\n", "does not start with a SIP")]
    [InlineData("SIP/2.0 200 OK\r\nVia: x\r\n\r\n", "Content-Length is required")]
    [InlineData("SIP/2.0 200 OK\r\nContent-Length: -1\r\n\r\n", "invalid Content-Length")]
    [InlineData("SIP/2.0 200 OK\r\nContent-Length: 1\r\nl: 2\r\n\r\nab", "conflicting Content-Length")]
    [InlineData("SIP/2.0 200 OK\r\nContent-Length: 5000\r\n\r\n", "exceeds the 1024-byte limit")]
    public void Garbage_is_rejected_with_a_clear_reason(string data, string reason)
    {
        var ex = Assert.Throws<SipFramingException>(() => Feed(new SipStreamFramer(1024), Encoding.ASCII.GetBytes(data), 4096));
        Assert.Contains(reason, ex.Message);
    }

    [Fact]
    public void Endless_header_section_hits_the_size_cap_instead_of_growing()
    {
        var data = Encoding.ASCII.GetBytes("SIP/2.0 200 OK\r\n" + string.Concat(Enumerable.Repeat("X-Pad: 0123456789\r\n", 200)));
        var ex = Assert.Throws<SipFramingException>(() => Feed(new SipStreamFramer(1024), data, 100));
        Assert.Contains("1024-byte limit", ex.Message);
    }
}
