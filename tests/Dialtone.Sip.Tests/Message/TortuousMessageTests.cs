using Dialtone.Sip.Message;
using Dialtone.Sip.Tests.Infrastructure;

namespace Dialtone.Sip.Tests.Message;

/// <summary>Cases in the spirit of RFC 4475 (torture tests): legal but odd, and illegal.</summary>
public sealed class TortuousMessageTests
{
    private static SipMessage Parse(string text) => SipParser.Parse(Fixtures.Bytes(text));

    [Fact]
    public void WhitespaceEverywhere_FoldingInsideValues_MixedCaseNames()
    {
        const string body = "v=0\r\n";
        var text =
            "INVITE sip:carol@chicago.example.com;unknownparam SIP/2.0\r\n" +
            "TO :\r\n sip:carol@chicago.example.com ;   tag    = 77abc\r\n" +
            "from   : \"Bob \\\\\\\"\"       <sip:bob@biloxi.example.com>\r\n  ;\r\n  tag = 4711\r\n" +
            "MaX-fOrWaRdS: 0068\r\n" +
            "Call-ID: tortuous.1@192.0.2.1\r\n" +
            "Content-Length   : " + body.Length + "\r\n" +
            "cseq: 0009\r\n  INVITE\r\n" +
            "Via  : SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=z9hG4bKa1\r\n" +
            "s :\r\n" +
            "X-Folded:   first part\r\n second part\r\n" +
            "X-Odd: ;;,,;;,;\r\n" +
            "Content-Type: application/sdp\r\n" +
            "Route:\r\n <sip:services.example.com;lr;unknownwith=value;unknown-no-value>\r\n" +
            "v:  SIP  / 2.0  / TCP     spindle.example.com   ;\r\n  branch  =   z9hG4bK9ikj8  ,\r\n SIP  /    2.0   / UDP  192.168.255.111   ; branch=\r\n z9hG4bK30239\r\n" +
            "m:\"Quoted string \\\"\\\"\" <sip:bob@biloxi.example.com> ; newparam =\r\n      newvalue ;\r\n  secondparam ; q = 0.33\r\n" +
            "\r\n" + body;
        var m = (SipRequest)Parse(text);
        Assert.Equal("77abc", m.To!.Tag);
        Assert.Equal("Bob \\\"", m.From!.DisplayName);
        Assert.Equal("4711", m.From.Tag);
        Assert.Equal(68, m.MaxForwards);
        Assert.Equal(new SipCSeq(9, SipMethods.Invite), m.CSeq);
        Assert.Equal(["192.0.2.2", "spindle.example.com", "192.168.255.111"], m.Vias.Select(v => v.Host));
        Assert.Equal(["UDP", "TCP", "UDP"], m.Vias.Select(v => v.Transport));
        Assert.Equal("z9hG4bK30239", m.Vias[2].Branch);
        Assert.Equal("", m.Headers["Subject"]);
        Assert.Equal("first part second part", m.Headers["x-folded"]);
        Assert.Equal(";;,,;;,;", m.Headers["X-Odd"]);
        var route = ((SipUri)m.Routes.Single().Uri);
        Assert.True(route.IsLooseRouter);
        Assert.Equal("value", route.Parameters.Get("unknownwith"));
        var contact = m.Contacts.Single();
        Assert.Equal("Quoted string \"\"", contact.DisplayName);
        Assert.Equal("newvalue", contact.Parameters.Get("newparam"));
        Assert.True(contact.Parameters.Contains("secondparam"));
        Assert.Equal("0.33", contact.Parameters.Get("q"));
        Assert.Equal(Fixtures.Bytes(text), SipSerializer.Serialize(m));
    }

    [Fact]
    public void UnknownMethodAndScheme_AreValid()
    {
        var m = (SipRequest)Parse("NEWMETHOD opaque-scheme:totally!opaque+content SIP/2.0\r\nCSeq: 8 NEWMETHOD\r\n\r\n");
        Assert.Equal("NEWMETHOD", m.Method);
        Assert.Equal("opaque-scheme", Assert.IsType<OtherUri>(m.RequestUri).Scheme);
    }

    [Fact]
    public void EscapedNulInUser_IsData_NotATerminator()
    {
        var m = (SipRequest)Parse("OPTIONS sip:null-%00-null@example.com SIP/2.0\r\n\r\n");
        Assert.Equal("null-\0-null", ((SipUri)m.RequestUri).User);
    }

    [Fact]
    public void StatusLineWithoutReason_RoundTrips()
    {
        var text = "SIP/2.0 100 \r\nContent-Length: 0\r\n\r\n";
        var m = (SipResponse)Parse(text);
        Assert.Equal("", m.ReasonPhrase);
        Assert.Equal(Fixtures.Bytes(text), SipSerializer.Serialize(m));
    }

    [Theory]
    [InlineData("INVITE <sip:user@example.com> SIP/2.0\r\n\r\n", "scheme")]
    [InlineData("INVITE sip:user@example.com SIP/2.0 \r\n\r\n", "version")]
    [InlineData("INVITE sip:user@example.com SIP/7.0\r\n\r\n", "version")]
    [InlineData("OPTIONS sip:user@example.com SIP/2.0\r\nContent-Length: -999\r\n\r\n", "Content-Length")]
    [InlineData("OPTIONS sip:user@example.com SIP/2.0\r\nContent-Length: 9999999999999999999\r\n\r\n", "Content-Length")]
    public void IllegalMessages(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<SipParseException>(() => Parse(text)).Message);

    [Theory]
    [InlineData("CSeq: 36893488147419103232 OPTIONS")]
    [InlineData("Max-Forwards: 300")]
    [InlineData("Contact: \"Joe\" sip:joe@example.org")]
    [InlineData("From: <sip:a@b>;tag=\"unterminated")]
    public void IllegalHeaderValues_FailWhenRead(string header)
    {
        var m = Parse("OPTIONS sip:user@example.com SIP/2.0\r\n" + header + "\r\n\r\n");
        Assert.Throws<SipParseException>(() =>
        {
            _ = m.CSeq;
            _ = m.MaxForwards;
            _ = m.Contacts;
            _ = m.From;
        });
    }
}
