using System.Text;
using Dialtone.Sip.Message;

namespace Dialtone.Sip.Tests.Message;

/// <summary>
/// RFC 3261 §25.1: quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F). An escaped control character
/// inside a quoted string (display name, parameter value) is legal and round-trips byte for byte;
/// a control character anywhere else is still refused (issue 11, item 8).
/// </summary>
public sealed class QuotedPairTests
{
    private const string Head = "OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n";

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Theory]
    [InlineData('\u0001')]
    [InlineData('\u0000')]
    [InlineData('\u0008')]
    [InlineData('\u000b')]
    [InlineData('\u000c')]
    [InlineData('\u001f')]
    [InlineData('\u007f')]
    public void EscapedControlInQuotedDisplayName_IsAccepted_AndRoundTrips(char control)
    {
        var text = Head + $"From: \"A\\{control}B\" <sip:a@example.com>;tag=1\r\nContent-Length: 0\r\n\r\n";
        var m = SipParser.Parse(Bytes(text));
        Assert.Equal($"A{control}B", m.From!.DisplayName);
        Assert.Equal(Bytes(text), SipSerializer.Serialize(m));
        // Editing another header keeps this line as received.
        m.MaxForwards = 70;
        Assert.Contains($"From: \"A\\{control}B\" <sip:a@example.com>;tag=1\r\n", Encoding.UTF8.GetString(SipSerializer.Serialize(m)));
    }

    [Fact]
    public void EscapedControlInQuotedParameter_IsAccepted()
    {
        var text = Head + "Contact: <sip:a@example.com>;x=\"p\\\u000bq\";y=1\r\n\r\n";
        var m = SipParser.Parse(Bytes(text));
        Assert.Equal("p\u000bq", m.Contacts[0].Parameters.GetUnquoted("x"));
        Assert.Equal("1", m.Contacts[0].Parameters.Get("y"));
        Assert.Equal(Bytes(text), SipSerializer.Serialize(m));
    }

    [Fact]
    public void EscapedControlInFoldedQuotedString_IsAccepted()
    {
        var text = Head + "To: \"Bob\r\n \\\u0001\" <sip:b@example.com>\r\n\r\n";
        var m = SipParser.Parse(Bytes(text));
        Assert.Equal("Bob \u0001", m.To!.DisplayName);
    }

    [Theory]
    [InlineData("Subject: a\u0001b\r\n")]
    [InlineData("Subject: a\\\u0001b\r\n")]
    [InlineData("From: \"A\\\u0001B <sip:a@example.com>\r\n")]
    [InlineData("From: \"A\\\u0001B\r\nTo: \"x\" <sip:b@c>\r\n")]
    [InlineData("From: \"A\" \\\u0001 <sip:a@example.com>\r\n")]
    public void ControlOutsideAClosedQuotedString_IsStillRefused(string line)
    {
        var e = Assert.Throws<SipParseException>(() => SipParser.Parse(Bytes(Head + line + "\r\n")));
        Assert.Contains("control character 0x01", e.Message);
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void DisplayNameWithControl_IsWrittenAsQuotedPair_AndParsesBack()
    {
        var request = new SipRequest(SipMethods.Options, SipUri.Parse("sip:bob@example.com"))
        {
            From = new SipAddress(SipUri.Parse("sip:a@example.com"), "A\u0001\"B\"\\"),
        };
        Assert.Equal("\"A\\\u0001\\\"B\\\"\\\\\" <sip:a@example.com>", request.Headers[SipHeaderNames.From]);
        var again = SipParser.Parse(SipSerializer.Serialize(request));
        Assert.Equal("A\u0001\"B\"\\", again.From!.DisplayName);
    }

    [Fact]
    public void HeaderBuiltInCode_RefusesBareControl_AcceptsQuotedPair()
    {
        Assert.Throws<ArgumentException>(() => new SipHeader("Subject", "a\u0001b"));
        Assert.Equal("\"a\\\u0001b\"", new SipHeader("Subject", "\"a\\\u0001b\"").Value);
    }
}
