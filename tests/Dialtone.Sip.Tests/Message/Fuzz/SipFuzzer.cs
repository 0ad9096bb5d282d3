using System.Diagnostics;
using System.Text;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;

namespace Dialtone.Sip.Fuzzing;

/// <summary>
/// Feeds every public Parse/TryParse of the SIP layer seeded, reproducible inputs: mutations of
/// real messages and header values, splices of them, and random ASCII / UTF-16 text (lone
/// surrogates included) or random bytes. A Parse may only succeed or throw
/// <see cref="SipParseException"/>; a TryParse may never throw and must agree with its Parse.
/// A message that parses must have typed views that obey the same rule and must serialize to
/// bytes that parse back to the same bytes. Shared by the unit test (small counts) and the
/// benchmark project's <c>fuzz</c> mode (a million inputs per function); no test framework here.
/// </summary>
internal sealed class SipFuzzer
{
    /// <summary>Characters the SIP grammar gives meaning to, chosen more often than random ones.</summary>
    private const string Interesting = "\r\n:;,<>\"\\@[]%=?&*+-./ \t0123456789sipSIPtel\0\u007f\u0001\u00e9\ud83d\ude00\ud800";

    private readonly List<byte[]> _messages;
    private readonly List<string> _uris = [];
    private readonly List<string> _addresses = [];
    private readonly List<string> _vias = [];
    private readonly List<string> _cseqs = [];
    private readonly List<string> _contentTypes = [];
    private readonly List<string> _challenges = [];
    private readonly List<(string Boundary, byte[] Body)> _multiparts = [];

    public SipFuzzer(IEnumerable<byte[]> messageSeeds)
    {
        _messages = [.. messageSeeds, .. BuiltInMessages.Select(m => Encoding.UTF8.GetBytes(m))];
        foreach (var bytes in _messages)
            HarvestSeeds(bytes);
        _uris.AddRange(BuiltInUris);
        _addresses.AddRange(BuiltInAddresses);
        _vias.AddRange(BuiltInVias);
        _cseqs.AddRange(["1 INVITE", "4711 REGISTER", "2147483647 BYE", "0 ACK"]);
        _contentTypes.AddRange(["application/sdp", "multipart/mixed;boundary=\"unique-boundary-1\"", "text/plain; charset=\"utf-8\"", "application/pidf+xml;q=0.5"]);
        _challenges.AddRange(BuiltInChallenges);
        _multiparts.Add(("unique-boundary-1", Encoding.UTF8.GetBytes(MultipartBody)));
    }

    /// <summary>One public parsing function: its name and one run on a generated input.</summary>
    public sealed record Target(string Name, Func<Random, Outcome> RunOne);

    public enum Outcome { Accepted, Rejected }

    /// <summary>What a target did with its inputs; <see cref="Failures"/> holds the first few unexpected outcomes.</summary>
    public sealed class Result(string name)
    {
        public string Name { get; } = name;
        public long Inputs { get; set; }
        public long Accepted { get; set; }
        public long Rejected { get; set; }
        public long FailureCount { get; set; }
        public List<string> Failures { get; } = [];
        public TimeSpan Elapsed { get; set; }
    }

    public IReadOnlyList<Target> Targets =>
    [
        new("SipParser.Parse (+ typed views, round trip)", r => FuzzMessage(MutateBytes(Pick(r, _messages), r, _messages))),
        new("SipUri.Parse", r => Documented(() => SipUri.Parse(MutateText(Pick(r, _uris), r, _uris)))),
        new("SipUri.TryParse", r => TryParseUri(MutateText(Pick(r, _uris), r, _uris))),
        new("UriReference.Parse (sip, sips, tel, other)", r => Documented(() => UriReference.Parse(MutateText(Pick(r, _uris), r, _uris)))),
        new("SipAddress.Parse (+ SipParameters)", r => Documented(() => Touch(SipAddress.Parse(MutateText(Pick(r, _addresses), r, _addresses))))),
        new("SipVia.Parse", r => Documented(() => Touch(SipVia.Parse(MutateText(Pick(r, _vias), r, _vias))))),
        new("SipCSeq.Parse", r => Documented(() => SipCSeq.Parse(MutateText(Pick(r, _cseqs), r, _cseqs)).ToString())),
        new("SipContentType.Parse", r => Documented(() => Touch(SipContentType.Parse(MutateText(Pick(r, _contentTypes), r, _contentTypes))))),
        new("SipViaView.TryParse/Parse (zero-copy)", r => FuzzView<SipViaView>(MutateText(Pick(r, _vias), r, _vias), SipViaView.TryParse, v => SipViaView.Parse(v))),
        new("SipAddressView.TryParse/Parse (zero-copy)", r => FuzzView<SipAddressView>(MutateText(Pick(r, _addresses), r, _addresses), SipAddressView.TryParse, v => SipAddressView.Parse(v))),
        new("SipCSeqView.TryParse/Parse (zero-copy)", r => FuzzView<SipCSeqView>(MutateText(Pick(r, _cseqs), r, _cseqs), SipCSeqView.TryParse, v => SipCSeqView.Parse(v))),
        new("SipMessage.GetBodyParts (multipart)", r => FuzzMultipart(r)),
        new("DigestChallenge.Parse", r => Documented(() => DigestChallenge.Parse(MutateText(Pick(r, _challenges), r, _challenges), r.Next(2) == 0).Algorithm)),
    ];

    /// <summary>Runs <paramref name="count"/> inputs through one target; the random source is seeded by (seed, target index).</summary>
    public Result Run(Target target, int targetIndex, long count, int seed)
    {
        var random = new Random(HashCode.Combine(seed, targetIndex) & int.MaxValue);
        var result = new Result(target.Name);
        var clock = Stopwatch.StartNew();
        for (long i = 0; i < count; i++)
        {
            result.Inputs++;
            try
            {
                if (target.RunOne(random) == Outcome.Accepted)
                    result.Accepted++;
                else
                    result.Rejected++;
            }
            catch (FuzzFailure failure)
            {
                result.FailureCount++;
                if (result.Failures.Count < 5)
                    result.Failures.Add($"input #{i} (seed {seed}): {failure.Message}");
            }
        }
        result.Elapsed = clock.Elapsed;
        return result;
    }

    /// <summary>An outcome the contract forbids, with the input that caused it.</summary>
    private sealed class FuzzFailure(string message) : Exception(message);

    private static Outcome Documented(Func<object?> parse)
    {
        try
        {
            parse();
            return Outcome.Accepted;
        }
        catch (SipParseException)
        {
            return Outcome.Rejected;
        }
        catch (FuzzFailure)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new FuzzFailure($"{e.GetType().Name}: {e.Message}\n{e.StackTrace}");
        }
    }

    private static Outcome Fail(string input, string problem) => throw new FuzzFailure($"{problem} for {Literal(input)}");

    private static Outcome TryParseUri(string text)
    {
        bool ok;
        try
        {
            ok = SipUri.TryParse(text, out var uri);
            if (ok != uri is not null)
                return Fail(text, "TryParse result and out value disagree");
        }
        catch (Exception e)
        {
            return Fail(text, $"TryParse threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
        }
        bool parses;
        try
        {
            SipUri.Parse(text);
            parses = true;
        }
        catch (SipParseException)
        {
            parses = false;
        }
        catch (Exception e)
        {
            return Fail(text, $"Parse threw {e.GetType().Name}: {e.Message}");
        }
        return ok == parses ? (ok ? Outcome.Accepted : Outcome.Rejected) : Fail(text, "TryParse and Parse disagree");
    }

    private static Outcome FuzzMessage(byte[] data)
    {
        SipMessage message;
        try
        {
            message = SipParser.Parse(data);
        }
        catch (SipParseException)
        {
            return Outcome.Rejected;
        }
        catch (Exception e)
        {
            throw new FuzzFailure($"{e.GetType().Name}: {e.Message} for {Literal(Encoding.UTF8.GetString(data))}\n{e.StackTrace}");
        }
        var text = Encoding.UTF8.GetString(data);
        View(text, () => message.Vias.Select(Touch).ToList());
        View(text, () => message.TopVia);
        View(text, () => Touch(message.From));
        View(text, () => Touch(message.To));
        View(text, () => message.CallId);
        View(text, () => message.CSeq);
        View(text, () => message.Contacts.Select(Touch).ToList());
        View(text, () => message.Routes.Select(Touch).ToList());
        View(text, () => message.RecordRoutes.Select(Touch).ToList());
        View(text, () => message.MaxForwards);
        View(text, () => message.Expires);
        View(text, () => message.ContentLength);
        View(text, () => Touch(message.ContentType));
        View(text, () => message.GetBodyParts().Select(p => Touch(p.ContentType)).ToList());
        View(text, () => message.StartLine);
        View(text, () => message is SipRequest q ? q.RequestUri.ToString() : null);
        ZeroCopyReads(message, text);
        foreach (var h in message.Headers)
        {
            View(text, () => h.SplitValues());
            View(text, () => h.Name + h.Value);
        }
        byte[] once;
        try
        {
            once = SipSerializer.Serialize(message);
            var twice = SipSerializer.Serialize(SipParser.Parse(once));
            if (!once.AsSpan().SequenceEqual(twice))
                Fail(text, "serialize → parse → serialize changed the bytes");
        }
        catch (FuzzFailure)
        {
            throw;
        }
        catch (Exception e)
        {
            Fail(text, $"round trip threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
        }
        return Outcome.Accepted;
    }

    private Outcome FuzzMultipart(Random r)
    {
        var (boundary, body) = Pick(r, _multiparts);
        var mutatedBoundary = r.Next(4) == 0 ? MutateText(boundary, r, [boundary]) : boundary;
        var mutatedBody = MutateBytes(body, r, [body]);
        var request = new SipRequest(SipMethods.Message, new SipUri("example.com"));
        SipContentType type;
        try
        {
            type = new SipContentType("multipart", "mixed") { Parameters = SipParameters.Empty.With("boundary", SipSyntax.Quote(mutatedBoundary)) };
            request.SetBody(mutatedBody, type);
        }
        catch (ArgumentException)
        {
            return Outcome.Rejected; // a boundary no header can carry (line break, control character): refused when building.
        }
        return Documented(() => request.GetBodyParts().Select(p => Touch(p.ContentType) + p.Body.Length).ToList());
    }

    private delegate bool TryParseView<T>(ReadOnlySpan<byte> value, out T view) where T : allows ref struct;

    /// <summary>A zero-copy view's TryParse never throws, its Parse throws only SipParseException, and the two agree.</summary>
    private static Outcome FuzzView<T>(string text, TryParseView<T> tryParse, Action<byte[]> parse) where T : allows ref struct
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        bool accepted;
        try
        {
            accepted = tryParse(bytes, out _);
        }
        catch (Exception e)
        {
            throw new FuzzFailure($"TryParse threw {e.GetType().Name}: {e.Message} for {Literal(text)}\n{e.StackTrace}");
        }
        var outcome = Documented(() =>
        {
            parse(bytes);
            return null;
        });
        if (outcome == Outcome.Accepted != accepted)
            Fail(text, $"TryParse returned {accepted} but Parse {(accepted ? "threw" : "did not throw")}");
        return outcome;
    }

    /// <summary>
    /// The zero-copy reads on a parsed message never throw, and where both they and the typed
    /// headers read a value, the values agree (the stack matches transactions with the former).
    /// </summary>
    private static void ZeroCopyReads(SipMessage message, string text)
    {
        try
        {
            if (message.TryGetTopVia(out var via) && Typed(() => message.TopVia) is SipVia top)
            {
                if (Encoding.UTF8.GetString(via.Host) != top.Host || via.Port != (top.Port ?? -1)
                    || (top.Branch is { } b && !b.AsSpan().ContainsAny(" \t") && Encoding.UTF8.GetString(via.Branch) != b))
                    Fail(text, $"the Via view ({Encoding.UTF8.GetString(via.Host)}:{via.Port} {Encoding.UTF8.GetString(via.Branch)}) disagrees with TopVia ({top})");
            }
            if (message.TryGetFrom(out var from) && Typed(() => message.From) is SipAddress f && f.Tag is { } tag
                && !tag.AsSpan().ContainsAny(" \t") && Encoding.UTF8.GetString(from.Tag) != tag)
                Fail(text, $"the From view's tag '{Encoding.UTF8.GetString(from.Tag)}' disagrees with From.Tag '{tag}'");
            message.TryGetTo(out _);
            message.TryGetContact(out _);
            if (message.TryGetCSeq(out var cseq) && Typed(() => message.CSeq) is SipCSeq c && (cseq.Number != c.Number || cseq.Method != c.Method))
                Fail(text, $"the CSeq view ({cseq.Number} {cseq.Method}) disagrees with CSeq ({c})");
            if (message.TryGetCallId(out var callId) && Encoding.UTF8.GetString(callId) != message.CallId)
                Fail(text, "the Call-ID view disagrees with CallId");
        }
        catch (FuzzFailure)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new FuzzFailure($"a zero-copy read threw {e.GetType().Name}: {e.Message} for {Literal(text)}\n{e.StackTrace}");
        }
    }

    private static object? Typed(Func<object?> read)
    {
        try
        {
            return read();
        }
        catch (SipParseException)
        {
            return null;
        }
    }

    private static void View(string input, Func<object?> view)
    {
        try
        {
            view();
        }
        catch (SipParseException)
        {
        }
        catch (Exception e)
        {
            throw new FuzzFailure($"typed view threw {e.GetType().Name}: {e.Message} for {Literal(input)}\n{e.StackTrace}");
        }
    }

    private static string? Touch(SipAddress? a) => a is null ? null : a.ToString() + a.Tag + a.DisplayName + a.Uri.Scheme;

    private static string Touch(SipVia v) => v.ToString() + v.Branch + v.Rport + v.Received;

    private static string? Touch(SipContentType? t) => t is null ? null : t.ToString() + t.Boundary + t.IsMultipart;

    private static T Pick<T>(Random r, List<T> list) => list[r.Next(list.Count)];

    /// <summary>Text input: mostly a mutated seed, sometimes random ASCII or random UTF-16.</summary>
    private static string MutateText(string seed, Random r, List<string> others)
    {
        switch (r.Next(20))
        {
            case 0:
                return RandomText(r, ascii: true);
            case 1:
                return RandomText(r, ascii: false);
        }
        var sb = new StringBuilder(seed);
        var edits = r.Next(1, 5);
        for (var e = 0; e < edits; e++)
        {
            var at = sb.Length == 0 ? 0 : r.Next(sb.Length + 1);
            switch (r.Next(8))
            {
                case 0 when at < sb.Length:
                    sb[at] = Interesting[r.Next(Interesting.Length)];
                    break;
                case 1:
                    sb.Insert(at, Interesting[r.Next(Interesting.Length)]);
                    break;
                case 2 when at < sb.Length:
                    sb.Remove(at, Math.Min(r.Next(1, 12), sb.Length - at));
                    break;
                case 3 when at < sb.Length:
                    sb[at] = (char)r.Next(128);
                    break;
                case 4:
                    sb.Length = at;
                    break;
                case 5 when at < sb.Length:
                    var len = Math.Min(r.Next(1, 16), sb.Length - at);
                    sb.Insert(at, sb.ToString(at, len));
                    break;
                case 6:
                    var other = others[r.Next(others.Count)];
                    var from = other.Length == 0 ? 0 : r.Next(other.Length);
                    sb.Insert(at, other.AsSpan(from, Math.Min(other.Length - from, r.Next(1, 30))));
                    break;
                default:
                    sb.Insert(at, (char)r.Next(0x10000));
                    break;
            }
        }
        return sb.ToString();
    }

    private static string RandomText(Random r, bool ascii)
    {
        var chars = new char[r.Next(0, 64)];
        for (var i = 0; i < chars.Length; i++)
            chars[i] = ascii ? (r.Next(3) == 0 ? Interesting[r.Next(Interesting.Length)] : (char)r.Next(128)) : (char)r.Next(0x10000);
        return new string(chars);
    }

    /// <summary>Byte input: mostly a mutated message, sometimes random bytes or random UTF-8 text.</summary>
    private static byte[] MutateBytes(byte[] seed, Random r, List<byte[]> others)
    {
        switch (r.Next(25))
        {
            case 0:
                var noise = new byte[r.Next(0, 512)];
                r.NextBytes(noise);
                return noise;
            case 1:
                return Encoding.UTF8.GetBytes(RandomText(r, ascii: r.Next(2) == 0));
        }
        var data = new List<byte>(seed);
        var edits = r.Next(1, 6);
        for (var e = 0; e < edits; e++)
        {
            var at = data.Count == 0 ? 0 : r.Next(data.Count + 1);
            switch (r.Next(8))
            {
                case 0 when at < data.Count:
                    data[at] = (byte)Interesting[r.Next(Interesting.Length)];
                    break;
                case 1:
                    data.InsertRange(at, Encoding.UTF8.GetBytes(Interesting.Substring(r.Next(Interesting.Length), 1)));
                    break;
                case 2 when at < data.Count:
                    data.RemoveRange(at, Math.Min(r.Next(1, 20), data.Count - at));
                    break;
                case 3 when at < data.Count:
                    data[at] = (byte)r.Next(256);
                    break;
                case 4:
                    data.RemoveRange(at, data.Count - at);
                    break;
                case 5 when at < data.Count:
                    var len = Math.Min(r.Next(1, 40), data.Count - at);
                    data.InsertRange(at, data.GetRange(at, len));
                    break;
                case 6:
                    var other = others[r.Next(others.Count)];
                    var from = other.Length == 0 ? 0 : r.Next(other.Length);
                    data.InsertRange(at, other.AsSpan(from, Math.Min(other.Length - from, r.Next(1, 80))).ToArray());
                    break;
                default:
                    // A header line that is legal but unusual: folding, compact name, escapes.
                    data.InsertRange(at, Encoding.UTF8.GetBytes(UnusualLines[r.Next(UnusualLines.Length)]));
                    break;
            }
        }
        return [.. data];
    }

    private void HarvestSeeds(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
            return;
        var lines = text[..end].Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length == 3 && !lines[0].StartsWith("SIP/", StringComparison.Ordinal))
            _uris.Add(parts[1]);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0)
                continue;
            var name = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            switch (name)
            {
                case "via" or "v":
                    _vias.AddRange(value.Split(',', StringSplitOptions.TrimEntries));
                    break;
                case "from" or "f" or "to" or "t" or "contact" or "m" or "route" or "record-route" or "p-asserted-identity":
                    _addresses.Add(value);
                    var lt = value.IndexOf('<');
                    var gt = value.IndexOf('>');
                    if (lt >= 0 && gt > lt)
                        _uris.Add(value[(lt + 1)..gt]);
                    break;
                case "cseq":
                    _cseqs.Add(value);
                    break;
                case "content-type" or "c":
                    _contentTypes.Add(value);
                    break;
                case "www-authenticate" or "proxy-authenticate":
                    _challenges.Add(value);
                    break;
            }
        }
    }

    /// <summary>An input as a C# string literal, so a failure can be pasted into a test.</summary>
    public static string Literal(string s)
    {
        if (s.Length > 600)
            s = s[..600] + "…";
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            if (c is '"' or '\\')
                sb.Append('\\').Append(c);
            else if (c is >= ' ' and < '\u007f')
                sb.Append(c);
            else
                sb.Append($"\\u{(int)c:x4}");
        }
        return sb.Append('"').ToString();
    }

    private static readonly string[] UnusualLines =
    [
        "\r\n ;folded=1", "\r\nv: SIP/2.0/UDP [::1]:5060;branch=z9hG4bKx;rport\r\n", "\r\nm: *\r\n",
        "\r\nf: \"A \\\"q\\\" \\\u0001\" <sip:a@b>;tag=1\r\n", "\r\nContent-Length: 99999999999\r\n",
        "\r\nl: 0\r\n", "\r\nX-Empty:\r\n", "\r\nt: sip:a@b;tag=x\r\n", "\r\n\r\n",
    ];

    private static readonly string[] BuiltInMessages =
    [
        "REGISTER sips:ss2.biloxi.example.com SIP/2.0\r\nVia: SIP/2.0/TLS client.biloxi.example.com:5061;branch=z9hG4bKnashds7\r\n" +
        "Max-Forwards: 70\r\nFrom: Bob <sips:bob@biloxi.example.com>;tag=a73kszlfl\r\nTo: Bob <sips:bob@biloxi.example.com>\r\n" +
        "Call-ID: 1j9FpLxk3uxtm8tn@biloxi.example.com\r\nCSeq: 1 REGISTER\r\nContact: <sips:bob@client.biloxi.example.com>;expires=3600, \"Bob\" <tel:+1-201-555-0123>\r\n" +
        "Expires: 7200\r\nContent-Length: 0\r\n\r\n",
        "SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1;received=1.2.3.4;rport=5060\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\n" +
        "Call-ID: x\r\nCSeq: 1 REGISTER\r\nWWW-Authenticate: Digest realm=\"b\", nonce=\"abc\", qop=\"auth,auth-int\", algorithm=SHA-256, opaque=\"o\"\r\nContent-Length: 0\r\n\r\n",
        "MESSAGE sip:bob@example.com SIP/2.0\r\nv: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf\r\nf: \"Al\\\"ice\" <sip:alice@example.com>;tag=1\r\n" +
        "t: sip:bob@example.com\r\ni: m1\r\nCSeq: 2 MESSAGE\r\nMax-Forwards: 70\r\nc: multipart/mixed;boundary=\"unique-boundary-1\"\r\nl: " + MultipartBody.Length + "\r\n\r\n" + MultipartBody,
        "OPTIONS sip:[2001:db8::10]:5070;transport=tcp SIP/2.0\r\nVia: SIP/2.0/TCP [2001:db8::9]:5060;branch=z9hG4bK2\r\nFrom: sip:a@b;tag=1\r\n" +
        "To: <tel:+12015550123;phone-context=example.com>\r\nCall-ID: y\r\nCSeq: 3 OPTIONS\r\nRoute: <sip:p1.example.com;lr>,<sip:p2.example.com;lr>\r\n Record-Route: x\r\nContent-Length: 0\r\n\r\n",
    ];

    private const string MultipartBody =
        "--unique-boundary-1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n\r\n--unique-boundary-1\r\n" +
        "Content-Type: application/isup; version=nxv3\r\nContent-Disposition: signal; handling=optional\r\n\r\n\u0001\u0002\r\n--unique-boundary-1--\r\n";

    private static readonly string[] BuiltInUris =
    [
        "sip", "sip:", "sips:alice:secr%65t@atlanta.com:5061;transport=tcp;lr;maddr=239.255.255.1?subject=project%20x&priority=urgent",
        "sip:+1-212-555-1212;npdi@gateway.com;user=phone", "sip:[::1]:5060", "sip:[2001:db8::1];maddr=[::2]", "tel:+1-201-555-0123",
        "tel:7042;phone-context=example.com", "urn:service:sos", "mailto:a@b", "sip:%61lice%20b@example.com", "sip:a@b?h=v&x=y",
    ];

    private static readonly string[] BuiltInAddresses =
    [
        "\"A \\\"quoted\\\" \\\\ name\" <sip:a@x>;tag=9", "Bob <sips:bob@biloxi.example.com>;tag=a73kszlfl", "*", "sip:a@b;tag=x",
        "<sip:a@b;lr>;expires=60;q=0.5;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\"",
        "\"\\\u0001ctl\" <tel:+1-201-555-0123>", "Anonymous <sip:anonymous@anonymous.invalid>;x=\"1,2\"",
    ];

    private static readonly string[] BuiltInVias =
    [
        "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-x;rport", "SIP / 2.0 / TCP [::1] ; branch = z9hG4bK1 ; received=[::2]",
        "SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf;rport=1;received=1.2.3.4",
    ];

    private static readonly string[] BuiltInChallenges =
    [
        "Digest realm=\"atlanta.com\", nonce=\"84a4cc6f3082121f32b42a2187831a9e\", qop=\"auth\", algorithm=MD5, stale=FALSE",
        "Digest realm=\"b\",nonce=\"n\",opaque=\"o\",algorithm=SHA-512-256,userhash=true", "Basic realm=\"x\"",
        "Digest realm=\"a\\\"b\", nonce=\"\"",
    ];
}
