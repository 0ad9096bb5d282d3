using Dialtone.Sip.Message;
using Dialtone.Sip.Tests.Infrastructure;

namespace Dialtone.Sip.Tests.Message;

public sealed class FixtureParsingTests
{
    [Fact]
    public void PlivoInvite_EveryFieldIsReachable()
    {
        var request = Assert.IsType<SipRequest>(SipParser.Parse(Fixtures.Bytes(Fixtures.PlivoInvite)));

        Assert.Equal(SipMethods.Invite, request.Method);
        var ruri = Assert.IsType<SipUri>(request.RequestUri);
        Assert.Equal("mysoftphone17", ruri.User);
        Assert.Equal("174.52.5.6", ruri.Host);
        Assert.Equal(38331, ruri.Port);
        Assert.Equal("tls", ruri.Transport);

        var rr = request.RecordRoutes;
        Assert.Equal(2, rr.Count);
        var rr0 = Assert.IsType<SipUri>(rr[0].Uri);
        Assert.Equal("54.241.2.206", rr0.Host);
        Assert.Equal(5061, rr0.Port);
        Assert.True(rr0.IsLooseRouter);
        Assert.Equal("on", rr0.Parameters.Get("r2"));
        Assert.Null(((SipUri)rr[1].Uri).Port);

        var vias = request.Vias;
        Assert.Equal(2, vias.Count);
        Assert.Equal("TLS", vias[0].Transport);
        Assert.Equal(5061, vias[0].Port);
        Assert.Equal("z9hG4bKb388.e9144db53b5fa4ba82b6bd52b4def4f4.0", vias[0].Branch);
        Assert.True(vias[0].HasRfc3261Branch);
        Assert.Equal("UDP", vias[1].Transport);
        Assert.Equal("191.201.61.52", vias[1].Received);
        Assert.Equal(5080, vias[1].Rport);
        Assert.Equal("z9hG4bKpU0yXc4v5eXNr", vias[1].Branch);
        Assert.Same(vias[0].Branch, request.TopVia!.Branch);

        Assert.Equal(40, request.MaxForwards);
        Assert.Equal("+15002309140", request.From!.DisplayName);
        Assert.Equal("Hygr09ggKmpjm", request.From.Tag);
        Assert.Equal("+15002309140", request.From.SipUri!.User);
        Assert.Equal("phone.plivo.com", request.From.SipUri.Host);
        Assert.Null(request.To!.Tag);
        Assert.Equal("mysoftphone17", request.To.SipUri!.User);
        Assert.Equal("333b9ea8-3e5e-1233-4bb9-782bcb0446c4", request.CallId);
        Assert.Equal(72472445, request.CSeq!.Number);
        Assert.Equal(SipMethods.Invite, request.CSeq.Method);
        var contact = Assert.Single(request.Contacts);
        Assert.Equal("mod_sofia", contact.SipUri!.User);
        Assert.Equal(5080, contact.SipUri.Port);
        Assert.Equal("Plivo", request.Headers[SipHeaderNames.UserAgent]);
        Assert.Equal(
            ["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "MESSAGE", "INFO", "UPDATE", "REFER", "NOTIFY"],
            request.Headers.Values(SipHeaderNames.Allow));
        Assert.Equal(["timer", "precondition", "path", "replaces"], request.Headers.Values("k"));
        Assert.True(request.ContentType!.Is("application", "sdp"));
        Assert.Equal("session", request.Headers[SipHeaderNames.ContentDisposition]);
        Assert.Equal(260, request.ContentLength);
        Assert.Equal(260, request.Body.Length);
        Assert.StartsWith("v=0\r\n", System.Text.Encoding.UTF8.GetString(request.Body.Span));
        Assert.EndsWith("a=ptime:20\r\n", System.Text.Encoding.UTF8.GetString(request.Body.Span));
        Assert.Equal("update_display,send_info", request.Headers["X-FS-Support"]);
        Assert.Equal("+15002309140", request.AddressList("P-Asserted-Identity")[0].DisplayName);
        Assert.Equal("outbound", request.Headers["p-HINT"]);
    }

    [Fact]
    public void Linphone488_ParsesAsResponse()
    {
        var response = Assert.IsType<SipResponse>(SipParser.Parse(Fixtures.Bytes(Fixtures.Linphone488)));
        Assert.Equal(488, response.StatusCode);
        Assert.Equal("Not acceptable here", response.ReasonPhrase);
        Assert.Equal("XC7r0HZ", response.To!.Tag);
        Assert.Equal(0, response.Body.Length);
    }

    [Theory]
    [InlineData(Fixtures.PlivoInvite)]
    [InlineData(Fixtures.Linphone488)]
    public void Fixtures_RoundTripByteExact(string text)
    {
        var bytes = Fixtures.Bytes(text);
        var message = SipParser.Parse(bytes);
        _ = message.Vias; // typed views must not disturb the raw text
        _ = message.From;
        Assert.Equal(bytes, SipSerializer.Serialize(message));
    }
}
