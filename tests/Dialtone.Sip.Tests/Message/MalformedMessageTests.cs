using Dialtone.Sip.Message;
using Dialtone.Sip.Tests.Infrastructure;

namespace Dialtone.Sip.Tests.Message;

/// <summary>One test per syntax rule the parser enforces; each checks the message names the problem and where.</summary>
public sealed class MalformedMessageTests
{
    private const string Head = "OPTIONS sip:bob@example.com SIP/2.0\r\n";

    private static SipParseException Fails(string text, SipParserLimits? limits = null) =>
        Assert.Throws<SipParseException>(() => SipParser.Parse(Fixtures.Bytes(text), limits));

    [Fact]
    public void Empty() => Assert.Contains("empty", Fails("").Message);

    [Fact]
    public void NoEmptyLineAfterHeaders() => Assert.Contains("empty line", Fails(Head + "Call-ID: x\r\n").Message);

    [Fact]
    public void HeaderWithoutColon()
    {
        var e = Fails(Head + "Call-ID x\r\n\r\n");
        Assert.Contains("no ':'", e.Message);
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void HeaderNameNotToken() => Assert.Equal(3, Fails(Head + "To: <sip:a@b>\r\nBad Name: x\r\n\r\n").Line);

    [Fact]
    public void EmptyHeaderName() => Assert.Contains("empty name", Fails(Head + ": x\r\n\r\n").Message);

    [Fact]
    public void ContinuationWithoutHeader() => Assert.Contains("continuation", Fails("OPTIONS sip:b@x SIP/2.0\r\n  folded\r\n\r\n").Message);

    [Fact]
    public void BareLineFeed()
    {
        var e = Fails(Head + "Call-ID: x\nTo: y\r\n\r\n");
        Assert.Contains("bare CR or LF", e.Message);
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void ControlCharacter() => Assert.Contains("control character 0x00", Fails(Head + "Call-ID: a\0b\r\n\r\n").Message);

    [Fact]
    public void InvalidUtf8()
    {
        var bytes = Fixtures.Bytes(Head + "Subject: xx\r\n\r\n");
        bytes[^5] = 0xff;
        var e = Assert.Throws<SipParseException>(() => SipParser.Parse(bytes));
        Assert.Contains("UTF-8", e.Message);
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void RequestLineMissingVersion() => Assert.Contains("request line", Fails("OPTIONS sip:bob@example.com\r\n\r\n").Message);

    [Fact]
    public void RequestLineDoubleSpace() => Assert.Contains("request line", Fails("OPTIONS  sip:b@x SIP/2.0\r\n\r\n").Message);

    [Fact]
    public void WrongVersion() => Assert.Contains("version", Fails("OPTIONS sip:b@x SIP/3.0\r\n\r\n").Message);

    [Theory]
    [InlineData("OPTIONS sip:b@x sip/2.0\r\n\r\n", false)] // the version and the scheme in any case (exact bytes are checked first)
    [InlineData("OPTIONS SIP:b@x Sip/2.0\r\n\r\n", false)]
    [InlineData("sip/2.0 200 OK\r\n\r\n", true)]
    public void StartLine_VersionAndSchemeInAnyCase(string text, bool response) =>
        Assert.Equal(response, SipParser.Parse(Fixtures.Bytes(text)) is SipResponse);

    [Fact]
    public void StartLine_TooShortForEither() => Fails("s\r\n\r\n");

    [Fact]
    public void MethodNotToken() => Assert.Contains("method", Fails("OPT@IONS sip:b@x SIP/2.0\r\n\r\n").Message);

    [Fact]
    public void RequestUriWithoutScheme()
    {
        var e = Fails("OPTIONS bob SIP/2.0\r\n\r\n");
        Assert.Contains("no scheme", e.Message);
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void RequestUriBadPort() => Assert.Contains("port", Fails("OPTIONS sip:b@x:99999 SIP/2.0\r\n\r\n").Message);

    [Fact]
    public void RequestUriBadIpv6() => Assert.Contains("IPv6", Fails("OPTIONS sip:b@[::zz] SIP/2.0\r\n\r\n").Message);

    [Fact]
    public void StatusCodeOutOfRange() => Assert.Contains("status code", Fails("SIP/2.0 99 Odd\r\n\r\n").Message);

    [Fact]
    public void StatusCodeNotDigits() => Assert.Contains("status code", Fails("SIP/2.0 2x0 OK\r\n\r\n").Message);

    [Fact]
    public void ContentLengthNotNumber() => Assert.Contains("Content-Length", Fails(Head + "Content-Length: ten\r\n\r\n").Message);

    [Fact]
    public void ContentLengthBeyondData() => Assert.Contains("only 2 body bytes", Fails(Head + "Content-Length: 10\r\n\r\nab").Message);

    [Fact]
    public void ContentLengthConflicting() => Assert.Contains("twice", Fails(Head + "Content-Length: 1\r\nl: 2\r\n\r\nab").Message);

    [Fact]
    public void MessageTooLarge()
    {
        var e = Fails(Head + "Subject: " + new string('x', 200) + "\r\n\r\n", new SipParserLimits { MaxMessageBytes = 100 });
        Assert.Contains("over the limit of 100", e.Message);
    }

    [Fact]
    public void TooManyHeaders()
    {
        var text = Head + string.Concat(Enumerable.Repeat("X-A: 1\r\n", 5)) + "\r\n";
        Assert.Contains("more than 4 header lines", Fails(text, new SipParserLimits { MaxHeaderCount = 4 }).Message);
    }

    [Fact]
    public void HeaderTooLong_CountingFoldedLines()
    {
        var e = Fails(Head + "Subject: " + new string('x', 30) + "\r\n " + new string('y', 30) + "\r\n\r\n", new SipParserLimits { MaxHeaderLineBytes = 50 });
        Assert.Contains("longer than 50", e.Message);
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void LimitsRejectNonPositiveValues() => Assert.Throws<ArgumentOutOfRangeException>(() => new SipParserLimits { MaxHeaderCount = 0 });

    [Theory]
    [InlineData("Via", "SIP/2.0/UDP", "sent-by")]
    [InlineData("Via", "SIP/2.0 host;branch=z9hG4bK1", "'/'")]
    [InlineData("Via", "SIP/2.0/UDP host:70000", "port")]
    [InlineData("From", "\"unterminated <sip:a@b>", "unterminated")]
    [InlineData("From", "<sip:a@b", "'>'")]
    [InlineData("To", "\"Bob\" sip:b@x", "<URI>")]
    [InlineData("CSeq", "abc INVITE", "sequence number")]
    [InlineData("CSeq", "2147483648 INVITE", "2^31")]
    [InlineData("CSeq", "1", "whitespace")]
    [InlineData("Contact", "<sip:a@b>;q=0.5 junk", "unexpected")]
    [InlineData("Content-Type", "application", "'/'")]
    public void MalformedTypedHeader_ThrowsParseExceptionOnAccess_WithHeaderLine(string name, string value, string expected)
    {
        var m = SipParser.Parse(Fixtures.Bytes(Head + "X-First: 1\r\n" + name + ": " + value + "\r\n\r\n"));
        var e = Assert.Throws<SipParseException>(() => _ = name switch
        {
            "Via" => (object)m.Vias,
            "From" => m.From!,
            "To" => m.To!,
            "CSeq" => m.CSeq!,
            "Contact" => m.Contacts,
            _ => m.ContentType!,
        });
        Assert.Contains(expected, e.Message);
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void MaxForwardsNotNumber() => Assert.Throws<SipParseException>(() => SipParser.Parse(Fixtures.Bytes(Head + "Max-Forwards: many\r\n\r\n")).MaxForwards);
}
