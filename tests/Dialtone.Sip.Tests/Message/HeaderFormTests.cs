using Dialtone.Sip.Message;
using Dialtone.Sip.Tests.Infrastructure;

namespace Dialtone.Sip.Tests.Message;

public sealed class HeaderFormTests
{
    private static SipMessage Parse(string text) => SipParser.Parse(Fixtures.Bytes(text));

    private const string Head = "OPTIONS sip:bob@example.com SIP/2.0\r\n";

    [Fact]
    public void CompactNames_MapToLongNames()
    {
        var m = Parse(Head +
            "v: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n" +
            "f: <sip:a@example.com>;tag=1\r\nt: sip:b@example.com\r\ni: abc\r\n" +
            "CSeq: 1 OPTIONS\r\nm: <sip:a@10.0.0.1>\r\nk: path\r\ns: hi\r\ne: gzip\r\n" +
            "o: presence\r\nr: <sip:c@example.com>\r\nu: talk\r\nc: text/plain\r\nl: 2\r\n\r\nok");
        Assert.Equal("h.example.com", m.TopVia!.Host);
        Assert.Equal("1", m.From!.Tag);
        Assert.Equal("b", m.To!.SipUri!.User);
        Assert.Equal("abc", m.CallId);
        Assert.Equal("a", m.Contacts[0].SipUri!.User);
        Assert.Equal("path", m.Headers[SipHeaderNames.Supported]);
        Assert.Equal("hi", m.Headers[SipHeaderNames.Subject]);
        Assert.Equal("gzip", m.Headers[SipHeaderNames.ContentEncoding]);
        Assert.Equal("presence", m.Headers[SipHeaderNames.Event]);
        Assert.Equal("<sip:c@example.com>", m.Headers[SipHeaderNames.ReferTo]);
        Assert.Equal("talk", m.Headers[SipHeaderNames.AllowEvents]);
        Assert.True(m.ContentType!.Is("text", "plain"));
        Assert.Equal("ok"u8.ToArray(), m.Body.ToArray());
        Assert.Equal("v", m.Headers.First("Via")!.Name);
    }

    [Fact]
    public void FoldedLines_AreJoinedWithOneSpace_AndKeptRawForSerialization()
    {
        var text = Head + "Subject: I know you're there,\r\n   pick up the phone\r\n\tand talk to me!\r\nContent-Length: 0\r\n\r\n";
        var m = Parse(text);
        Assert.Equal("I know you're there, pick up the phone and talk to me!", m.Headers["Subject"]);
        Assert.Equal(Fixtures.Bytes(text), SipSerializer.Serialize(m));
    }

    [Fact]
    public void CommaSeparatedValues_SplitAcrossLines_NotInsideQuotesOrBrackets()
    {
        var m = Parse(Head +
            "Contact: \"Bob, Jr.\" <sip:bob@h1;lr>;q=0.5;x=\"1,2\", <sip:bob@h2>\r\n" +
            "Contact: sip:bob@h3;expires=60\r\n\r\n");
        var contacts = m.Contacts;
        Assert.Equal(3, contacts.Count);
        Assert.Equal("Bob, Jr.", contacts[0].DisplayName);
        Assert.Equal("0.5", contacts[0].Parameters.Get("q"));
        Assert.Equal("1,2", contacts[0].Parameters.GetUnquoted("x"));
        Assert.Equal("h2", contacts[1].SipUri!.Host);
        Assert.Equal("60", contacts[2].Parameters.Get("expires"));
        Assert.Null(contacts[2].SipUri!.Parameters.Get("expires"));
        Assert.Equal(3, m.Headers.Values("Contact").Count);
    }

    [Fact]
    public void AuthenticationHeaders_AreNeverSplitOnCommas()
    {
        var m = Parse(Head + "WWW-Authenticate: Digest realm=\"a,b\", nonce=\"n\", qop=\"auth,auth-int\"\r\n\r\n");
        Assert.Single(m.Headers.Values("www-authenticate"));
    }

    [Fact]
    public void QuotedDisplayName_WithEscapes_IsUnescaped()
    {
        var m = Parse(Head + "From: \"A \\\"quoted\\\" \\\\ name\" <sip:a@x>;tag=9\r\n\r\n");
        Assert.Equal("A \"quoted\" \\ name", m.From!.DisplayName);
        Assert.Equal("\"A \\\"quoted\\\" \\\\ name\" <sip:a@x>;tag=9", m.From.ToString());
    }

    [Fact]
    public void TokenDisplayName_AndAddrSpecParameters_BelongToHeader()
    {
        var m = Parse(Head + "From: Alice Smith <sip:alice@x>;tag=a1\r\nTo: sip:bob@y;tag=b2\r\n\r\n");
        Assert.Equal("Alice Smith", m.From!.DisplayName);
        Assert.Equal("b2", m.To!.Tag);
        Assert.Empty(m.To.SipUri!.Parameters);
    }

    [Fact]
    public void AddrSpecContact_WithQuotedParameterHoldingAngleBrackets()
    {
        var m = Parse(Head + "Contact: sip:alice@192.0.2.1;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\";reg-id=1\r\n\r\n");
        var contact = m.Contacts.Single();
        Assert.Null(contact.DisplayName);
        Assert.Equal("<urn:uuid:00000000-0000-1000-8000-000A95A0E128>", contact.Parameters.GetUnquoted("+sip.instance"));
        Assert.Equal("1", contact.Parameters.Get("reg-id"));
    }

    [Theory]
    [InlineData("From: Bad\u00e9Name <sip:a@b>")]
    [InlineData("From: @x <sip:a@b>")]
    public void DisplayNameThatIsNeitherTokensNorQuoted_IsAParseError(string header) =>
        Assert.Throws<SipParseException>(() => Parse(Head + header + "\r\n\r\n").From);

    [Fact]
    public void HeaderNameWithSpaceBeforeColon_IsAccepted()
    {
        var m = Parse(Head + "Call-ID  : x1\r\n\r\n");
        Assert.Equal("x1", m.CallId);
    }

    [Fact]
    public void ViaList_InOneLine_WithIpv6AndSpacesAroundSlashes()
    {
        var m = Parse(Head + "Via: SIP / 2.0 / UDP [2001:db8::9]:5060;branch=z9hG4bKa;rport, SIP/2.0/WS abc.invalid;branch=z9hG4bKb\r\n\r\n");
        var vias = m.Vias;
        Assert.Equal("[2001:db8::9]", vias[0].Host);
        Assert.Equal(5060, vias[0].Port);
        Assert.True(vias[0].HasRport);
        Assert.Null(vias[0].Rport);
        Assert.Equal("WS", vias[1].Transport);
        Assert.Equal("abc.invalid", vias[1].Host);
    }

    [Fact]
    public void Multipart_BodyPartsAreReadable()
    {
        var body =
            "--unique-boundary-1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n" +
            "\r\n--unique-boundary-1\r\nContent-Type: application/ISUP;version=nxv3\r\nContent-Disposition: signal\r\n\r\n\u0001\u0002\r\n" +
            "--unique-boundary-1--\r\n";
        var text = Head + "Content-Type: multipart/mixed;boundary=unique-boundary-1\r\nContent-Length: " + Fixtures.Bytes(body).Length + "\r\n\r\n" + body;
        var parts = Parse(text).GetBodyParts();
        Assert.Equal(2, parts.Count);
        Assert.True(parts[0].ContentType!.Is("application", "sdp"));
        Assert.Equal("v=0\r\n"u8.ToArray(), parts[0].Body.ToArray());
        Assert.Equal("nxv3", parts[1].ContentType!.Parameters.Get("version"));
        Assert.Equal(new byte[] { 1, 2 }, parts[1].Body.ToArray());
    }

    [Fact]
    public void Multipart_WithoutClosingBoundary_IsParseError()
    {
        var body = "--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n";
        var m = Parse(Head + "Content-Type: multipart/mixed; boundary=\"b\"\r\nContent-Length: " + body.Length + "\r\n\r\n" + body);
        Assert.Throws<SipParseException>(() => m.GetBodyParts());
    }

    [Fact]
    public void ExtraBytesAfterContentLength_AreDiscarded()
    {
        var m = Parse(Head + "Content-Length: 3\r\n\r\nabcdef");
        Assert.Equal("abc"u8.ToArray(), m.Body.ToArray());
    }

    [Fact]
    public void LeadingCrlfs_BeforeStartLine_AreIgnored()
    {
        var m = Parse("\r\n\r\n" + Head + "Content-Length: 0\r\n\r\n");
        Assert.IsType<SipRequest>(m);
    }
}
