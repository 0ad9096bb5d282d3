using Dialtone.Sip.Message;
using Dialtone.Sip.Tests.Infrastructure;

namespace Dialtone.Sip.Tests.Message;

/// <summary>
/// Feeds the parser and every typed view thousands of mutated fixtures (seeded, so failures
/// reproduce): the only allowed outcomes are success or <see cref="SipParseException"/>.
/// </summary>
public sealed class ParserFuzzTests
{
    private static readonly byte[] Interesting = "\r\n:;,<>\"\\@[]%= \t/0-9"u8.ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void MutatedFixtures_OnlyEverThrowSipParseException(int seed)
    {
        var random = new Random(seed);
        var sources = new[] { Fixtures.Bytes(Fixtures.PlivoInvite), Fixtures.Bytes(Fixtures.Linphone488) };
        var accepted = 0;
        for (var i = 0; i < 3000; i++)
        {
            var data = Mutate(sources[i % 2], random);
            SipMessage m;
            try
            {
                m = SipParser.Parse(data);
            }
            catch (SipParseException)
            {
                continue;
            }
            Touch(m);
            // Whatever parses must serialize to bytes that parse again to the same bytes.
            var once = SipSerializer.Serialize(m);
            Assert.Equal(once, SipSerializer.Serialize(SipParser.Parse(once)));
            accepted++;
        }
        // Small mutations often leave the message valid: the fuzzer must reach the typed views.
        Assert.InRange(accepted, 1, 3000);
    }

    private static void Touch(SipMessage m)
    {
        Touch(() => m.Vias);
        Touch(() => m.From);
        Touch(() => m.To);
        Touch(() => m.CSeq);
        Touch(() => m.Contacts);
        Touch(() => m.RecordRoutes);
        Touch(() => m.ContentType);
        Touch(() => m.MaxForwards);
        Touch(() => SipSerializer.Serialize(m));
        foreach (var h in m.Headers)
            Touch(() => h.SplitValues());
    }

    private static void Touch(Func<object?> view)
    {
        try
        {
            view();
        }
        catch (SipParseException)
        {
        }
    }

    private static byte[] Mutate(byte[] source, Random random)
    {
        var data = new List<byte>(source);
        var edits = random.Next(1, 6);
        for (var e = 0; e < edits && data.Count > 0; e++)
        {
            var at = random.Next(data.Count);
            switch (random.Next(5))
            {
                case 0:
                    data[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 1:
                    data.Insert(at, Interesting[random.Next(Interesting.Length)]);
                    break;
                case 2:
                    data.RemoveRange(at, Math.Min(random.Next(1, 20), data.Count - at));
                    break;
                case 3:
                    data[at] = (byte)random.Next(256);
                    break;
                default:
                    data.RemoveRange(at, data.Count - at); // truncation
                    break;
            }
        }
        return [.. data];
    }
}

/// <summary>Inputs built to be slow: they must be handled (parsed or rejected) quickly, never hang.</summary>
public sealed class PathologicalInputTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData(';')]
    [InlineData(',')]
    [InlineData('"')]
    [InlineData('<')]
    [InlineData('\\')]
    [InlineData('%')]
    public void LongRunsOfSeparators_InEveryTypedHeader(char c)
    {
        var run = new string(c, 8000);
        var text = "OPTIONS sip:a@b SIP/2.0\r\n" +
            $"Via: SIP/2.0/UDP h;branch=z9hG4bK{run}\r\nFrom: <sip:a@b>{run}\r\nTo: {run}\r\nContact: {run}\r\nCSeq: 1 {run}\r\nContent-Type: a/b{run}\r\n\r\n";
        var watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var m = SipParser.Parse(Fixtures.Bytes(text));
            foreach (var view in new Func<object?>[] { () => m.Vias, () => m.From, () => m.To, () => m.Contacts, () => m.CSeq, () => m.ContentType, () => m.Headers.Values("To") })
            {
                try
                {
                    view();
                }
                catch (SipParseException)
                {
                }
            }
        }
        catch (SipParseException)
        {
        }
        Assert.True(watch.Elapsed < Budget, $"took {watch.Elapsed}");
    }

    [Fact]
    public void ManyViaEntriesAndFoldedLines_AtTheLimits()
    {
        var vias = string.Join(",\r\n ", Enumerable.Range(0, 300).Select(i => $"SIP/2.0/UDP h{i};branch=z9hG4bK{i}"));
        var text = "OPTIONS sip:a@b SIP/2.0\r\nVia: " + vias + "\r\n\r\n";
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var m = SipParser.Parse(Fixtures.Bytes(text), new SipParserLimits { MaxHeaderLineBytes = 16_000 });
        Assert.Equal(300, m.Vias.Count);
        Assert.True(watch.Elapsed < Budget, $"took {watch.Elapsed}");
    }
}
