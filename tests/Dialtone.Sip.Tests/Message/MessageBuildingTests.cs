using Dialtone.Sip.Message;
using Dialtone.Sip.Tests.Infrastructure;

namespace Dialtone.Sip.Tests.Message;

public sealed class MessageBuildingTests
{
    [Fact]
    public void RequestBuiltInCode_SerializesAndParsesBack()
    {
        var request = new SipRequest(SipMethods.Register, SipUri.Parse("sip:example.com"))
        {
            From = new SipAddress(SipUri.Parse("sip:alice@example.com"), "Alice \"A\"").WithTag("t1"),
            To = new SipAddress(SipUri.Parse("sip:alice@example.com")),
            CallId = "c1@host",
            CSeq = new SipCSeq(1, SipMethods.Register),
            MaxForwards = 70,
            Expires = 3600,
        };
        request.PushVia(new SipVia("UDP", "10.0.0.1", 5060, "z9hG4bK-x").WithParameter("rport", null));
        request.Headers.Add(SipHeaderNames.Contact, "<sip:alice@10.0.0.1:5060>");
        request.SetBody("hi"u8.ToArray(), new SipContentType("text", "plain"));

        var text = request.ToString();
        Assert.StartsWith("REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-x;rport\r\nFrom: \"Alice \\\"A\\\"\" <sip:alice@example.com>;tag=t1\r\n", text);
        Assert.Contains("Content-Length: 2\r\n\r\nhi", text);

        var parsed = Assert.IsType<SipRequest>(SipParser.Parse(SipSerializer.Serialize(request)));
        Assert.Equal("Alice \"A\"", parsed.From!.DisplayName);
        Assert.Equal("z9hG4bK-x", parsed.TopVia!.Branch);
        Assert.True(parsed.TopVia.HasRport);
        Assert.Equal(3600, parsed.Expires);
        Assert.Equal("hi"u8.ToArray(), parsed.Body.ToArray());
    }

    [Fact]
    public void ResponseFor_CopiesViaFromToCallIdCSeq_ByteExact()
    {
        var request = (SipRequest)SipParser.Parse(Fixtures.Bytes(Fixtures.PlivoInvite));
        var response = SipResponse.CreateFor(request, 180);
        response.To = response.To!.WithTag("abc");
        var text = response.ToString();
        Assert.StartsWith("SIP/2.0 180 Ringing\r\nRecord-Route: <sip:54.241.2.206:5061;transport=tls;r2=on;lr>\r\n", text);
        Assert.Contains("Via: SIP/2.0/UDP 191.201.61.52:5080;received=191.201.61.52;rport=5080;branch=z9hG4bKpU0yXc4v5eXNr\r\n", text);
        Assert.Contains("To: <sip:mysoftphone17@phone.plivo.com>;tag=abc\r\n", text);
        Assert.DoesNotContain("Contact", text);
        Assert.Empty(SipResponse.CreateFor(request, 488).RecordRoutes);
    }

    [Fact]
    public void ViaManipulation_PushReplacePop()
    {
        var m = SipParser.Parse(Fixtures.Bytes("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2\r\nVia: SIP/2.0/TCP c;branch=z9hG4bK3\r\n\r\n"));
        m.ReplaceTopVia(m.TopVia!.WithParameter("received", "1.2.3.4"));
        Assert.Equal("1.2.3.4", m.Vias[0].Received);
        m.PopVia();
        Assert.Equal(["b", "c"], m.Vias.Select(v => v.Host));
        m.PushVia(new SipVia("TLS", "z", null, "z9hG4bK9"));
        Assert.Equal(["z", "b", "c"], m.Vias.Select(v => v.Host));
        m.PopVia();
        m.PopVia();
        Assert.Equal(["c"], m.Vias.Select(v => v.Host));
    }

    [Fact]
    public void HeaderValuesWithLineBreaks_AreRejected() =>
        Assert.Throws<ArgumentException>(() => new SipHeader("Subject", "a\r\nInjected: yes"));
}

public sealed class MessageBuildingValidationTests
{
    [Theory]
    [InlineData("bad host")]
    [InlineData("a@b")]
    [InlineData("")]
    public void SipUri_RejectsInvalidHosts(string host) => Assert.Throws<ArgumentException>(() => new SipUri(host));

    [Fact]
    public void Headers_RejectControlCharactersAndBadNames()
    {
        Assert.Throws<ArgumentException>(() => new SipHeader("Subject", "a\0b"));
        Assert.Throws<ArgumentException>(() => new SipHeader("Bad Name", "x"));
        Assert.Equal("tab\tok", new SipHeader("Subject", "tab\tok").Value);
    }

    [Fact]
    public void Responses_RejectOutOfRangeCodes() => Assert.Throws<ArgumentOutOfRangeException>(() => new SipResponse(99));
}
