using System.Text;
using Dialtone.Sip.Message;
using Dialtone.Sip.Tests.Infrastructure;

namespace Dialtone.Sip.Tests.Message;

/// <summary>
/// The zero-copy reads (SipMessage.TryGet…, SipViaView, SipAddressView, SipCSeqView): they read
/// the same values as the typed headers, straight from the message's bytes, allocate nothing on a
/// parsed message, work on messages built in code or edited, and report malformed input by
/// returning false (TryParse/TryGet) or with SipParseException (Parse) — never another exception.
/// </summary>
public sealed class HeaderViewTests
{
    private static string S(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    [Fact]
    public void TheFixtureInvite_ReadsInPlace()
    {
        var m = SipParser.Parse(Fixtures.Bytes(Fixtures.PlivoInvite));

        Assert.True(m.TryGetTopVia(out var via));
        Assert.Equal("TLS", S(via.Transport));
        Assert.Equal("54.241.2.206", S(via.Host));
        Assert.Equal(5061, via.Port);
        Assert.Equal("z9hG4bKb388.e9144db53b5fa4ba82b6bd52b4def4f4.0", S(via.Branch));
        Assert.True(via.HasRfc3261Branch);
        Assert.False(via.HasRport);

        Assert.True(m.TryGetFrom(out var from));
        Assert.True(from.HasTag);
        Assert.Equal("Hygr09ggKmpjm", S(from.Tag));
        Assert.Equal("\"+15002309140\"", S(from.DisplayName));
        Assert.Equal("sip:+15002309140@phone.plivo.com", S(from.Uri));

        Assert.True(m.TryGetTo(out var to));
        Assert.False(to.HasTag);
        Assert.True(to.Tag.IsEmpty);
        Assert.Equal("sip:mysoftphone17@phone.plivo.com", S(to.Uri));

        Assert.True(m.TryGetCSeq(out var cseq));
        Assert.Equal(72472445, cseq.Number);
        Assert.Same(SipMethods.Invite, cseq.Method);
        Assert.True(cseq.IsMethod(SipMethods.Invite));
        Assert.False(cseq.IsMethod(SipMethods.Ack));

        Assert.True(m.TryGetCallId(out var callId));
        Assert.Equal("333b9ea8-3e5e-1233-4bb9-782bcb0446c4", S(callId));

        Assert.True(m.TryGetContact(out var contact));
        Assert.Equal("sip:mod_sofia@191.201.61.52:5080", S(contact.Uri));
        Assert.Equal(260, m.ContentLength);
    }

    [Fact]
    public void TheViews_AgreeWithTheTypedHeaders()
    {
        var m = SipParser.Parse(Fixtures.Bytes(Fixtures.PlivoInvite));
        Assert.True(m.TryGetTopVia(out var via));
        Assert.True(m.TryGetFrom(out var from));
        Assert.True(m.TryGetCSeq(out var cseq));
        Assert.True(m.TryGetCallId(out var callId));
        Assert.Equal(m.TopVia!.Branch, S(via.Branch));
        Assert.Equal(m.TopVia.Host, S(via.Host));
        Assert.Equal(m.TopVia.Port, via.Port);
        Assert.Equal(m.From!.Tag, S(from.Tag));
        Assert.Equal(m.CSeq!.Number, cseq.Number);
        Assert.Equal(m.CSeq.Method, cseq.Method);
        Assert.Equal(m.CallId, S(callId));
    }

    [Fact]
    public void ReadingTheViews_AllocatesNothingBeyondTheParse()
    {
        var bytes = Fixtures.Bytes(Fixtures.PlivoInvite);
        static int Read(SipMessage m)
        {
            m.TryGetTopVia(out var via);
            m.TryGetFrom(out var from);
            m.TryGetTo(out var to);
            m.TryGetCSeq(out var cseq);
            m.TryGetCallId(out var callId);
            m.TryGetContact(out var contact);
            return via.Branch.Length + via.Port + from.Tag.Length + to.Uri.Length + (int)cseq.Number + cseq.Method.Length
                + callId.Length + contact.Uri.Length + m.ContentLength!.Value;
        }
        var messages = new SipMessage[200];
        for (var i = 0; i < messages.Length; i++)
            messages[i] = SipParser.Parse(bytes);
        for (var i = 0; i < 50; i++)
            Read(SipParser.Parse(bytes));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var sum = 0;
        foreach (var m in messages)
            sum += Read(m);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotEqual(0, sum);
    }

    [Fact]
    public void CompactFormsFoldsAndIpv6_Read()
    {
        var text = "OPTIONS sip:a@example.com SIP/2.0\r\n" +
                   "v: SIP/2.0/udp [2001:db8::1]:5070 ;rport;Branch=z9hG4bK77 ;received=10.0.0.1\r\n" +
                   "v: SIP/2.0/TCP second.example.com;branch=z9hG4bK88\r\n" +
                   "f: Alice <sip:alice@example.com>\r\n ;tag=abc\r\n" +
                   "t: sip:bob@example.com;tag=xyz\r\n" +
                   "i: id-1@host\r\n" +
                   "CSeq: 7\r\n  OPTIONS\r\n" +
                   "m: *\r\n" +
                   "l: 0\r\n\r\n";
        var m = SipParser.Parse(Encoding.UTF8.GetBytes(text));
        Assert.True(m.TryGetTopVia(out var via));
        Assert.Equal("udp", S(via.Transport));
        Assert.Equal("[2001:db8::1]", S(via.Host));
        Assert.Equal(5070, via.Port);
        Assert.Equal("z9hG4bK77", S(via.Branch));
        Assert.True(via.HasRport);
        Assert.Equal(-1, via.Rport);
        Assert.Equal("10.0.0.1", S(via.Received));
        Assert.True(m.TryGetFrom(out var from));
        Assert.Equal("Alice", S(from.DisplayName));
        Assert.Equal("abc", S(from.Tag));
        Assert.True(m.TryGetTo(out var to));
        Assert.Equal("sip:bob@example.com", S(to.Uri));
        Assert.Equal("xyz", S(to.Tag));
        Assert.True(m.TryGetCallId(out var callId));
        Assert.Equal("id-1@host", S(callId));
        Assert.True(m.TryGetCSeq(out var cseq));
        Assert.Equal(7, cseq.Number);
        Assert.Same(SipMethods.Options, cseq.Method);
        Assert.True(m.TryGetContact(out var contact));
        Assert.True(contact.IsWildcard);
    }

    [Fact]
    public void BuiltAndEditedMessages_ReadThroughTheHeaderObjects()
    {
        var built = new SipRequest(SipMethods.Message, new SipUri("example.com"))
        {
            From = new SipAddress(new SipUri("example.com", user: "alice")).WithTag("t1"),
            To = new SipAddress(new SipUri("example.com", user: "bob")),
            CallId = "c1",
            CSeq = new SipCSeq(5, SipMethods.Message),
        };
        built.PushVia(new SipVia("UDP", "10.0.0.2", 5060, "z9hG4bKbuilt").WithParameter("rport", "5062"));
        Assert.True(built.TryGetTopVia(out var via));
        Assert.Equal("z9hG4bKbuilt", S(via.Branch));
        Assert.Equal(5062, via.Rport);
        Assert.True(built.TryGetFrom(out var from));
        Assert.Equal("t1", S(from.Tag));
        Assert.True(built.TryGetCSeq(out var cseq));
        Assert.Same(SipMethods.Message, cseq.Method);
        Assert.False(built.TryGetContact(out _));

        var parsed = SipParser.Parse(Fixtures.Bytes(Fixtures.PlivoInvite));
        parsed.ReplaceTopVia(parsed.TopVia!.WithParameter("received", "192.0.2.9"));
        Assert.True(parsed.TryGetTopVia(out var edited));
        Assert.Equal("192.0.2.9", S(edited.Received));
        Assert.Equal("z9hG4bKb388.e9144db53b5fa4ba82b6bd52b4def4f4.0", S(edited.Branch));
    }

    [Fact]
    public void MissingHeaders_ReadAsFalse()
    {
        var m = SipParser.Parse("OPTIONS sip:a@example.com SIP/2.0\r\nMax-Forwards: 70\r\n\r\n"u8);
        Assert.False(m.TryGetTopVia(out _));
        Assert.False(m.TryGetFrom(out _));
        Assert.False(m.TryGetTo(out _));
        Assert.False(m.TryGetCSeq(out _));
        Assert.False(m.TryGetCallId(out _));
        Assert.False(m.TryGetContact(out _));
    }

    [Theory]
    [InlineData("SIP/2.0/TLS h:5061;branch=z9hG4bK1")] // the exact-prefix path
    [InlineData("SIP/2.0/ TLS h:5061;branch=z9hG4bK1")] // ... with whitespace after its '/'
    [InlineData("sip/2.0/TLS h:5061;branch=z9hG4bK1")] // the token path
    [InlineData("SIP / 2.0 / TLS h:5061;branch=z9hG4bK1")]
    [InlineData("XSIP/2.1/TLS h:5061;branch=z9hG4bK1")]
    public void Via_ProtocolAsWrittenOrSpaced_ReadsTheSameEntry(string value)
    {
        Assert.True(SipViaView.TryParse(Encoding.UTF8.GetBytes(value), out var via));
        Assert.Equal("TLS", S(via.Transport));
        Assert.Equal("h", S(via.Host));
        Assert.Equal(5061, via.Port);
        Assert.Equal("z9hG4bK1", S(via.Branch));
    }

    [Theory]
    [InlineData("")]
    [InlineData("SIP/2.0/")]
    [InlineData("SIP/2.0/ ")]
    [InlineData("SIP/2.0/UDP")]
    [InlineData("SIP/2.0/UDP ")]
    [InlineData("SIP/2.0 UDP host")]
    [InlineData("SIP/2.0/UDPhost")]
    [InlineData("SIP/2.0/UDP host:")]
    [InlineData("SIP/2.0/UDP host:65536")]
    [InlineData("SIP/2.0/UDP host:123456")]
    [InlineData("SIP/2.0/UDP [::1")]
    [InlineData("SIP/2.0/UDP [zz]")]
    [InlineData("SIP/2.0/UDP host;")]
    [InlineData("SIP/2.0/UDP host;branch=")]
    [InlineData("SIP/2.0/UDP host;=x")]
    [InlineData("SIP/2.0/UDP host;branch=\"open")]
    [InlineData("SIP/2.0/UDP host;branch=a b")]
    [InlineData("SIP/2.0/UDP host junk")]
    [InlineData("SIP/2.0/UDP host;,")]
    public void MalformedVia_TryParseIsFalse_ParseThrowsSipParseException(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Assert.False(SipViaView.TryParse(bytes, out _));
        var e = Assert.Throws<SipParseException>(() => SipViaView.Parse(bytes));
        Assert.StartsWith("Via: ", e.Reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<sip:a@b")]
    [InlineData("\"Bob sip:a@b")]
    [InlineData("\"Bob\" sip:a@b")]
    [InlineData("<>")]
    [InlineData("<nocolon>")]
    [InlineData("<sip:a b@c>")]
    [InlineData("<sip:a@b>;")]
    [InlineData("<sip:a@b>;tag=\"open")]
    [InlineData("<sip:a@b> junk")]
    [InlineData("<sip:a@b>;tag=x y")]
    public void MalformedAddress_TryParseIsFalse_ParseThrowsSipParseException(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Assert.False(SipAddressView.TryParse(bytes, out _));
        Assert.Throws<SipParseException>(() => SipAddressView.Parse(bytes));
    }

    [Theory]
    [InlineData("")]
    [InlineData("INVITE")]
    [InlineData("1")]
    [InlineData("1INVITE")]
    [InlineData("2147483648 INVITE")]
    [InlineData("12345678901 INVITE")]
    [InlineData("1 INVITE x")]
    [InlineData("-1 INVITE")]
    [InlineData("1 IN<VITE")]
    public void MalformedCSeq_TryParseIsFalse_ParseThrowsSipParseException(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Assert.False(SipCSeqView.TryParse(bytes, out _));
        Assert.Throws<SipParseException>(() => SipCSeqView.Parse(bytes));
    }

    [Fact]
    public void UnknownCSeqMethod_IsReadAsWritten()
    {
        Assert.True(SipCSeqView.TryParse("2147483647 FOO"u8, out var cseq));
        Assert.Equal(SipCSeq.MaxNumber, cseq.Number);
        Assert.Equal("FOO", cseq.Method);
    }

    [Fact]
    public void MalformedHeadersInAMessage_ReadAsFalse_AndNeverThrow()
    {
        var m = SipParser.Parse(Encoding.UTF8.GetBytes(
            "OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP host:99999\r\nFrom: <sip:a@b\r\nTo: x\r\nCSeq: one OPTIONS\r\nCall-ID: two words\r\nContact: <>\r\n\r\n"));
        Assert.False(m.TryGetTopVia(out _));
        Assert.False(m.TryGetFrom(out _));
        Assert.False(m.TryGetTo(out _));
        Assert.False(m.TryGetCSeq(out _));
        Assert.False(m.TryGetCallId(out _));
        Assert.False(m.TryGetContact(out _));
    }
}
