using System.Text;
using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Tests.Infrastructure;

namespace Dialtone.Sip.Tests.Message;

/// <summary>
/// The parser's quick paths (header scan, name recognition, Request-URI check) against the exact
/// ones they stand in for: the quick path may decline, but when it answers it must answer as the
/// exact path does. Also the edges of the header grammar and the allocation-free validator.
/// </summary>
public sealed class QuickScanTests
{
    private const string Head = "OPTIONS sip:bob@example.com SIP/2.0\r\n";

    private static readonly string[] Blocks =
    [
        Fixtures.PlivoInvite[..(Fixtures.PlivoInvite.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 2)],
        Head + "v: SIP/2.0/UDP h;branch=z9hG4bK1\r\nf: <sip:a@b>;tag=1\r\nt: sip:b@c\r\ni: x\r\nm: <sip:a@d>\r\nl: 0\r\nc: text/plain\r\n",
        Head + "Subject: one,\r\n   two\r\n\tthree\r\nVIA : SIP/2.0/UDP h\r\ncall-ID\t: abc\r\n",
        Head + "X-Quoted: \"a\\\u0001b\"\r\nContent-Length: 0\r\n",
        Head + "To: <sip:a@b>\r\nBad Name: x\r\n",
        Head + "  folded-first\r\n",
        Head + "Call-ID: a\rb\r\n",
        Head + "Call-ID: a\nb\r\n",
        Head + "Call-ID: a\u0000b\r\n",
        Head + ": empty\r\n",
        Head + "NoColon\r\n",
    ];

    [Fact]
    public void QuickScan_AnswersAsTheExactScan_OrDeclines()
    {
        foreach (var block in Blocks)
            AssertAgrees(Encoding.UTF8.GetBytes(block));
    }

    [Fact]
    public void QuickScan_AgreesWithTheExactScan_OnMutatedBlocks()
    {
        var random = new Random(14);
        var alphabet = "\r\n \t:;,\"\\<>@aZ0-\u0001\u007f"u8.ToArray();
        foreach (var block in Blocks)
        {
            var bytes = Encoding.UTF8.GetBytes(block);
            for (var n = 0; n < 400; n++)
            {
                var copy = (byte[])bytes.Clone();
                for (var k = random.Next(1, 4); k > 0; k--)
                    copy[random.Next(copy.Length)] = alphabet[random.Next(alphabet.Length)];
                AssertAgrees(copy);
            }
        }
    }

    private static void AssertAgrees(byte[] block)
    {
        var limits = SipParserLimits.Default;
        var quick = new SipHeaderEntry[64];
        var exact = new SipHeaderEntry[64];
        var quickCount = SipHeaderBlock.TryScanQuick(block, limits, firstLineIsStartLine: true, quick, out var quickStart);
        int exactCount, exactStart;
        try
        {
            exactCount = SipHeaderBlock.ScanExact(block, limits, firstLineIsStartLine: true, exact, out exactStart);
        }
        catch (SipParseException)
        {
            Assert.Equal(-1, quickCount);
            return;
        }
        if (quickCount < 0)
            return; // declined: the exact scan decides
        Assert.Equal(exactCount, quickCount);
        Assert.Equal(exactStart, quickStart);
        Assert.Equal(exact.AsSpan(0, exactCount).ToArray(), quick.AsSpan(0, quickCount).ToArray());
    }

    [Fact]
    public void LineFinder_MatchesAByteByByteReading_AtEveryChunkBoundary()
    {
        // CR, LF, empty lines and controls at every offset around the 16- and 32-byte chunk edges.
        var random = new Random(5);
        var pieces = new[] { "\r\n", "\r", "\n", "\t", "\u0001", "\u007f", "ab", "é", " ", "abcdefghij" };
        for (var n = 0; n < 20_000; n++)
        {
            var text = new StringBuilder();
            var length = random.Next(1, 110);
            while (text.Length < length)
                text.Append(pieces[random.Next(pieces.Length)]);
            var bytes = Encoding.UTF8.GetBytes(text.ToString());
            var positions = new int[256];
            var found = SipLineFinder.Find(bytes, positions, out var ascii, out var end);
            var (expected, expectedEnd) = ReferenceLines(bytes);
            Assert.Equal(expected, found < 0 ? null : positions[..found]);
            if (found < 0)
                continue;
            Assert.Equal(expectedEnd, end);
            Assert.Equal(bytes.AsSpan().IndexOf("\r\n\r\n"u8), end); // the parser relies on it: no second search
            Assert.Equal(bytes[..(end < 0 ? bytes.Length : end)].All(b => b < 0x80), ascii);
        }
    }

    /// <summary>The line ends up to the first empty line and its offset (-1 when none), or null when a byte before it is not plain.</summary>
    private static (int[]? Lines, int End) ReferenceLines(byte[] b)
    {
        var list = new List<int>();
        for (var i = 0; i < b.Length; i++)
        {
            if (b[i] == '\n')
            {
                if (i == 0 || b[i - 1] != '\r')
                    return (null, -1);
                if (list.Count > 0 && list[^1] == i - 2)
                    return ([.. list], i - 3);
                list.Add(i);
            }
            else if (b[i] == '\r' ? i + 1 >= b.Length || b[i + 1] != '\n' : (b[i] < 0x20 && b[i] != '\t') || b[i] == 0x7f)
            {
                return (null, -1);
            }
        }
        return ([.. list], -1);
    }

    [Fact]
    public void Parse_ABinaryBodyInTheChunkOfTheEmptyLine_EndsTheHeadersThere()
    {
        // The line finder reads 32 bytes at a time past the empty line: whatever the body holds
        // (controls, lone CR and LF, CRLF CRLF again, non-UTF-8) must not change the headers.
        var body = Enumerable.Range(0, 256).Select(b => (byte)b).Concat("\r\n\r\n\n\r"u8.ToArray()).ToArray();
        for (var pad = 0; pad <= 40; pad++)
        {
            var head = Encoding.ASCII.GetBytes($"MESSAGE sip:bob@example.com SIP/2.0\r\nX-Pad: {new string('p', pad)}\r\nContent-Length: {body.Length}\r\n\r\n");
            var message = SipParser.Parse([.. head, .. body]);
            Assert.Equal(new string('p', pad), message.Headers["X-Pad"]);
            Assert.Equal(body.Length, message.ContentLength);
            Assert.Equal(body, message.Body.ToArray());
        }
    }

    [Theory]
    [InlineData("SIP/2.0/TLS 54.241.2.206:5061;branch=z9hG4bKb388.e9144db53b5fa4ba82b6bd52b4def4f4.0", "via")]
    [InlineData(" SIP/2.0/UDP h.example.com;received=10.0.0.1;rport=5080;branch=z9hG4bK1, SIP/2.0/TCP p:5060;branch=z9hG4bK2", "via")]
    [InlineData(" \"+15002309140\" <sip:+15002309140@phone.plivo.com>;tag=Hygr09ggKmpjm", "address")]
    [InlineData("Bob Smith <sip:bob@h;lr>;x=\"a,b\";flag", "address")]
    [InlineData("<sip:a@b>, <sip:c@d:5070;transport=tcp>;q=0.5", "list")]
    [InlineData(" application/sdp", "media")]
    [InlineData("multipart/mixed;boundary=\"abc\"", "media")]
    public void QuickHeaderChecks_AcceptCommonShapes(string value, string kind)
    {
        Assert.True(Quick(Encoding.UTF8.GetBytes(value), kind));
        Assert.Null(Full(value, kind));
    }

    [Fact]
    public void QuickHeaderChecks_NeverAcceptWhatTheFullCheckRejects()
    {
        var random = new Random(11);
        var seeds = new (string Value, string Kind)[]
        {
            ("SIP/2.0/UDP 191.201.61.52:5080;received=191.201.61.52;rport=5080;branch=z9hG4bKpU0yXc4v5eXNr, SIP/2.0/TLS h;x", "via"),
            ("\"+1500\" <sip:+1500@phone.plivo.com:5061;transport=tls>;tag=Hygr0;x=\"q\"", "address"),
            ("Bob <sip:b@h>;lr, <sip:c@[::1]>, \"x\" <sip:d@e>", "list"),
            ("application/sdp;charset=utf-8;x=\"y\"", "media"),
        };
        var alphabet = " \t\r\n;,:=\"\\<>@[]/%*?&a0.-+"u8.ToArray();
        var accepted = 0;
        foreach (var (value, kind) in seeds)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            for (var n = 0; n < 5_000; n++)
            {
                var copy = (byte[])bytes.Clone();
                for (var k = random.Next(1, 4); k > 0; k--)
                {
                    var at = random.Next(copy.Length);
                    if (random.Next(3) == 0)
                        copy = [.. copy[..at], .. copy[(at + 1)..]];
                    else
                        copy[at] = alphabet[random.Next(alphabet.Length)];
                }
                if (!Quick(copy, kind))
                    continue;
                accepted++;
                var text = Encoding.UTF8.GetString(copy);
                var problem = Full(text.Trim(' ', '\t', '\r', '\n'), kind);
                Assert.True(problem is null, $"quick {kind} check accepted '{text}' but the full check says: {problem}");
            }
        }
        Assert.True(accepted > 1_000, $"only {accepted} mutations accepted: the property says little");
    }

    private static bool Quick(byte[] value, string kind) => kind switch
    {
        "via" => SipQuickGrammar.IsPlainViaList(value),
        "address" => SipQuickGrammar.IsPlainNameAddr(value, list: false),
        "list" => SipQuickGrammar.IsPlainNameAddr(value, list: true),
        _ => SipQuickGrammar.IsPlainMediaType(value),
    };

    private static string? Full(string value, string kind)
    {
        try
        {
            var text = value.AsSpan();
            switch (kind)
            {
                case "via":
                    SipVia.ValidateList(text, "Via", 1);
                    break;
                case "address":
                    SipAddress.Validate(text, "From", 1);
                    break;
                case "list":
                    var m = SipParser.Parse(Fixtures.Bytes(Head + "Contact: " + value + "\r\n\r\n"));
                    _ = m.Contacts;
                    break;
                default:
                    SipContentType.Validate(text, "Content-Type", 1);
                    break;
            }
            return null;
        }
        catch (SipParseException e)
        {
            return e.Message;
        }
    }

    [Fact]
    public void FirstEntryTable_HasRoomForEveryHeaderId() =>
        Assert.True(Enum.GetValues<SipHeaderId>().Max(id => (int)id) < SipHeaderIndex.FirstsCount);

    [Fact]
    public void ByteClassTable_MatchesTheGrammarCharacterSets()
    {
        for (var b = 0; b < 256; b++)
        {
            var c = (char)b;
            var ascii = b < 0x80;
            Assert.Equal(ascii && SipSyntax.IsTokenChar(c), SipBytes.Is((byte)b, SipBytes.Token));
            Assert.Equal(ascii && SipSyntax.HostChars.Contains(c), SipBytes.Is((byte)b, SipBytes.Host));
            Assert.Equal(ascii && SipSyntax.TokenOrColonChars.Contains(c), SipBytes.Is((byte)b, SipBytes.TokenOrColon));
            Assert.Equal(c is ' ' or '\t' or '\r' or '\n', SipBytes.Is((byte)b, SipBytes.Whitespace));
        }
    }

    [Theory]
    [InlineData("Via", "Via")]
    [InlineData("vIA", "Via")]
    [InlineData("V", "Via")]
    [InlineData("FROM", "From")]
    [InlineData("f", "From")]
    [InlineData("tO", "To")]
    [InlineData("T", "To")]
    [InlineData("CALL-ID", "CallId")]
    [InlineData("i", "CallId")]
    [InlineData("cseq", "CSeq")]
    [InlineData("contact", "Contact")]
    [InlineData("M", "Contact")]
    [InlineData("content-LENGTH", "ContentLength")]
    [InlineData("L", "ContentLength")]
    [InlineData("Content-Type", "ContentType")]
    [InlineData("c", "ContentType")]
    [InlineData("max-forwards", "MaxForwards")]
    [InlineData("EXPIRES", "Expires")]
    [InlineData("Route", "Route")]
    [InlineData("record-route", "RecordRoute")]
    [InlineData("Vib", "Other")]
    [InlineData("Via_", "Other")]
    [InlineData("To_", "Other")]
    [InlineData("Tp", "Other")]
    [InlineData("Call_ID", "Other")]
    [InlineData("Call-IE", "Other")]
    [InlineData("Contacts", "Other")]
    [InlineData("Content-Lengt_", "Other")]
    [InlineData("Content~Length", "Other")]
    [InlineData("Record-Routes", "Other")]
    [InlineData("Max-Forward`", "Other")]
    [InlineData("x", "Other")]
    [InlineData("k", "Other")]
    public void Identify_ByLengthFirstLetterAndOneCompare(string name, string expected) =>
        Assert.Equal(Enum.Parse<SipHeaderId>(expected), SipHeaderBlock.Identify(Encoding.ASCII.GetBytes(name)));

    [Fact]
    public void Identify_AgreesWithTheCanonicalNames_ForEveryCaseOfEveryKnownName()
    {
        var random = new Random(3);
        foreach (var id in Enum.GetValues<SipHeaderId>().Where(i => i != SipHeaderId.Other))
        {
            var name = SipHeaderBlock.KeyOf(id);
            for (var n = 0; n < 20; n++)
            {
                var mixed = new string(name.Select(c => random.Next(2) == 0 ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c)).ToArray());
                Assert.Equal(id, SipHeaderBlock.Identify(Encoding.ASCII.GetBytes(mixed)));
            }
        }
    }

    [Theory]
    [InlineData("sip:bob@example.com")]
    [InlineData("SIPS:bob:secret@example.com:5061;transport=tls;lr")]
    [InlineData("sip:mysoftphone17@174.52.5.6:38331;transport=tls")]
    [InlineData("sip:example.com;maddr=10.0.0.1;x")]
    [InlineData("sip:+1-555;phone-context=x@h")]
    public void QuickRequestUriCheck_AcceptsCommonUris(string uri)
    {
        Assert.True(SipParser.IsPlainSipUri(Encoding.ASCII.GetBytes(uri)));
        UriReference.Validate(uri, "Request-URI", 1); // and the full check agrees
    }

    [Theory]
    [InlineData("sip:b@x:99999")]
    [InlineData("sip:b@x:")]
    [InlineData("sip:b@[::1]")]
    [InlineData("sip:b%41@x")]
    [InlineData("sip:@x")]
    [InlineData("sip::pw@x")]
    [InlineData("sip:b@x?subject=hi")]
    [InlineData("sip:b@x;")]
    [InlineData("sip:b@x;a=")]
    [InlineData("sip:")]
    [InlineData("tel:+15551234")]
    [InlineData("sipx:b@x")]
    public void QuickRequestUriCheck_DeclinesEverythingElse(string uri) =>
        Assert.False(SipParser.IsPlainSipUri(Encoding.ASCII.GetBytes(uri)));

    [Fact]
    public void QuickRequestUriCheck_NeverAcceptsWhatTheFullCheckRejects()
    {
        var random = new Random(7);
        var alphabet = "sip:@;=?%[]:.-_abc019 \t<>\"&,/'~"u8.ToArray();
        for (var n = 0; n < 20_000; n++)
        {
            var bytes = new byte[random.Next(4, 24)];
            "sip:"u8.CopyTo(bytes);
            for (var i = 4; i < bytes.Length; i++)
                bytes[i] = alphabet[random.Next(alphabet.Length)];
            if (!SipParser.IsPlainSipUri(bytes))
                continue;
            var text = Encoding.ASCII.GetString(bytes);
            var ex = Record.Exception(() => UriReference.Validate(text, "Request-URI", 1));
            Assert.True(ex is null, $"quick check accepted '{text}' but the full check says: {ex?.Message}");
        }
    }

    [Fact]
    public void HeaderNames_AreCaseInsensitive_LongAndCompact_InTheViewsToo()
    {
        var m = SipParser.Parse(Fixtures.Bytes(Head +
            "VIA: SIP/2.0/UDP h.example.com:5070;branch=z9hG4bK1\r\nfrom: <sip:a@b>;tag=9\r\nT: sip:b@c\r\n" +
            "CALL-id: x@y\r\ncseq: 4 OPTIONS\r\nCONTACT: <sip:a@d>\r\ncontent-LENGTH: 0\r\n\r\n"));
        Assert.True(m.TryGetTopVia(out var via));
        Assert.Equal("h.example.com"u8.ToArray(), via.Host.ToArray());
        Assert.Equal(5070, via.Port);
        Assert.True(m.TryGetFrom(out var from) && from.Tag.SequenceEqual("9"u8));
        Assert.True(m.TryGetTo(out var to) && to.Uri.SequenceEqual("sip:b@c"u8));
        Assert.True(m.TryGetCallId(out var callId) && callId.SequenceEqual("x@y"u8));
        Assert.True(m.TryGetCSeq(out var cseq) && cseq.Number == 4 && cseq.IsMethod(SipMethods.Options));
        Assert.True(m.TryGetContact(out var contact) && contact.Uri.SequenceEqual("sip:a@d"u8));
        Assert.Equal(0, m.ContentLength);
    }

    [Fact]
    public void WhitespaceBeforeTheColon_AndFoldedTypedHeaders_Read()
    {
        var m = SipParser.Parse(Fixtures.Bytes(Head +
            "Via \t: SIP/2.0/UDP h\r\n ;branch=z9hG4bK1\r\nFrom :\r\n <sip:a@b>\r\n\t;tag=7\r\nTo: <sip:b@c>\r\nCall-ID: c\r\nCSeq:\r\n 1\r\n OPTIONS\r\n\r\n"));
        Assert.True(m.TryGetTopVia(out var via) && via.Branch.SequenceEqual("z9hG4bK1"u8));
        Assert.Equal("z9hG4bK1", m.TopVia!.Branch);
        Assert.True(m.TryGetFrom(out var from) && from.Tag.SequenceEqual("7"u8));
        Assert.Equal("7", m.From!.Tag);
        Assert.Equal(1, m.CSeq!.Number);
        Assert.Equal("Via", m.Headers.First(SipHeaderNames.Via)!.Name);
    }

    [Theory]
    [InlineData("OPTIONS sip:b@x SIP/2.0\r\nCall-ID: a\r\n")]
    [InlineData("OPTIONS sip:b@x SIP/2.0\r\nCall-ID: a\r\n\n")]
    [InlineData("OPTIONS sip:b@x SIP/2.0")]
    public void MissingEmptyLine_IsAParseError_AndTryParseSaysFalse(string text)
    {
        Assert.Contains("empty line", Assert.Throws<SipParseException>(() => SipParser.Parse(Fixtures.Bytes(text))).Message);
        Assert.False(SipParser.TryParse(Fixtures.Bytes(text), out var m));
        Assert.Null(m);
    }

    [Theory]
    [InlineData("Content-Length: 5\r\n\r\nab", false, 0)] // more declared than sent
    [InlineData("Content-Length: 2\r\n\r\nabcdef", true, 2)] // datagram: extra bytes dropped
    [InlineData("l: 3\r\n\r\nabc", true, 3)]
    [InlineData("Content-Length: 1\r\nContent-Length: 2\r\n\r\nab", false, 0)]
    [InlineData("Content-Length: -1\r\n\r\n", false, 0)]
    [InlineData("Content-Length: 12345678901\r\n\r\n", false, 0)]
    [InlineData("Content-Length:   3 \t\r\n\r\nabc", true, 3)] // whitespace around the digits
    [InlineData("Content-Length:\r\n 3\r\n\r\nabc", true, 3)] // folded
    [InlineData("Content-Length: 0000000003\r\n\r\nabc", true, 3)] // ten digits
    [InlineData("Content-Length: 00000000003\r\n\r\nabc", false, 0)] // eleven
    [InlineData("Content-Length: \r\n\r\nabc", false, 0)] // no digits
    [InlineData("Content-Length: 1 2\r\n\r\nabc", false, 0)]
    [InlineData("Content-Length: +3\r\n\r\nabc", false, 0)]
    [InlineData("Content-Length: 3x\r\n\r\nabc", false, 0)]
    public void ContentLength_AgainstTheBytesThatFollow(string tail, bool parses, int bodyLength)
    {
        var ok = SipParser.TryParse(Fixtures.Bytes(Head + tail), out var m);
        Assert.Equal(parses, ok);
        if (parses)
            Assert.Equal(bodyLength, m!.Body.Length);
    }

    [Fact]
    public void TryParse_NeverThrows_OnMutatedMessages()
    {
        var random = new Random(2026);
        var fixture = Fixtures.Bytes(Fixtures.PlivoInvite);
        var alphabet = "\r\n \t:;,\"\\<>@[]%=0aZ\u0001\u00ff"u8.ToArray();
        var accepted = 0;
        for (var n = 0; n < 3_000; n++)
        {
            var copy = (byte[])fixture.Clone();
            for (var k = random.Next(1, 6); k > 0; k--)
                copy[random.Next(copy.Length)] = alphabet[random.Next(alphabet.Length)];
            var length = random.Next(4) == 0 ? random.Next(copy.Length) : copy.Length;
            if (SipParser.TryParse(copy.AsSpan(0, length), out var m))
            {
                accepted++;
                Assert.NotNull(m);
            }
        }
        Assert.InRange(accepted, 1, 2_999); // the mutations hit both sides
    }

    [Fact]
    public void Validator_OnTheParsedFixture_AllocatesNothing()
    {
        var messages = Enumerable.Range(0, 50).Select(_ => SipParser.Parse(Fixtures.Bytes(Fixtures.PlivoInvite))).ToArray();
        MessageValidator.Validate(SipParser.Parse(Fixtures.Bytes(Fixtures.PlivoInvite))); // JIT
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var m in messages)
            MessageValidator.Validate(m);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData("From", "<sip:a@[zz]>;tag=1", "IPv6")]
    [InlineData("To", "<sip:b@x:99999>", "port")]
    [InlineData("Via", "SIP/2.0/UDP h;branch=z9hG4bK1, SIP/2.0/UDP", "sent-by")]
    [InlineData("Contact", "<sip:a@b>, <sip:c@[d]>", "IPv6")]
    [InlineData("Route", "<sip:p@x;lr", "'>'")]
    [InlineData("Record-Route", "sip:p@x junk", "unexpected")]
    [InlineData("Content-Type", "text", "'/'")]
    [InlineData("CSeq", "1 OPTIONS x", "unexpected")]
    public void Validator_RejectsWhatTheTypedPropertiesReject_WithTheSameReason(string name, string value, string expected)
    {
        var headers = new Dictionary<string, string>
        {
            ["Via"] = "SIP/2.0/UDP h;branch=z9hG4bK1", ["From"] = "<sip:a@b>;tag=1", ["To"] = "<sip:b@c>",
            ["Call-ID"] = "c", ["CSeq"] = "1 OPTIONS",
        };
        headers[name] = value;
        var text = Head + string.Concat(headers.Select(h => $"{h.Key}: {h.Value}\r\n")) + "\r\n";
        var viaValidator = Assert.Throws<SipParseException>(() => MessageValidator.Validate(SipParser.Parse(Fixtures.Bytes(text))));
        Assert.Contains(expected, viaValidator.Message);
        var parsed = SipParser.Parse(Fixtures.Bytes(text));
        var viaProperties = Assert.Throws<SipParseException>(() =>
        {
            _ = parsed.Vias;
            _ = parsed.From;
            _ = parsed.To;
            _ = parsed.CSeq;
            _ = parsed.ContentType;
            _ = parsed.Contacts;
            _ = parsed.Routes;
            _ = parsed.RecordRoutes;
        });
        Assert.Equal(viaProperties.Message, viaValidator.Message);
    }

    [Theory]
    [InlineData("Via")]
    [InlineData("From")]
    [InlineData("To")]
    [InlineData("Call-ID")]
    [InlineData("CSeq")]
    public void Validator_MissingHeader(string name)
    {
        var text = Head + string.Concat(new[] { "Via: SIP/2.0/UDP h;branch=z9hG4bK1", "From: <sip:a@b>;tag=1", "To: <sip:b@c>", "Call-ID: c", "CSeq: 1 OPTIONS" }
            .Where(h => !h.StartsWith(name + ":", StringComparison.Ordinal)).Select(h => h + "\r\n")) + "\r\n";
        Assert.Contains($"missing {name}", Assert.Throws<SipParseException>(() => MessageValidator.Validate(SipParser.Parse(Fixtures.Bytes(text)))).Message);
    }

    [Fact]
    public void Validator_CSeqMethodMustMatch_OnParsedAndBuiltMessages()
    {
        var text = Head + "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\r\n";
        var parsed = SipParser.Parse(Fixtures.Bytes(text));
        Assert.Contains("does not match", Assert.Throws<SipParseException>(() => MessageValidator.Validate(parsed)).Message);
        _ = parsed.Headers; // now goes through the header objects
        Assert.Contains("does not match", Assert.Throws<SipParseException>(() => MessageValidator.Validate(parsed)).Message);
    }
}
