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
            try
            {
                var m = SipParser.Parse(data);
                Touch(m);
                accepted++;
            }
            catch (SipParseException)
            {
            }
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
