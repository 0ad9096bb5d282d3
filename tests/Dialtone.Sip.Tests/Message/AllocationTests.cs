using Dialtone.Sip.Message;
using Dialtone.Sip.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Dialtone.Sip.Tests.Message;

/// <summary>
/// Parsing allocates one string for the header section, one small object per header line, the
/// header list and the body copy — not a string per header or per character.
/// </summary>
public sealed class AllocationTests(ITestOutputHelper output)
{
    [Fact]
    public void ParsingTheFixtureInvite_AllocatesLittle()
    {
        var bytes = Fixtures.Bytes(Fixtures.PlivoInvite);
        for (var i = 0; i < 50; i++)
            SipParser.Parse(bytes);
        const int rounds = 200;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < rounds; i++)
            SipParser.Parse(bytes);
        var perMessage = (GC.GetAllocatedBytesForCurrentThread() - before) / rounds;
        output.WriteLine($"{bytes.Length} byte INVITE: {perMessage} bytes allocated per parse");
        // Header text as UTF-16 (~2 x 1 KB) + 22 header objects + list + 260-byte body ≈ 4.5 KB.
        Assert.InRange(perMessage, 1, 6 * 1024);
    }

    [Fact]
    public void SerializingTheParsedInvite_AllocatesOnlyTheOutput()
    {
        var bytes = Fixtures.Bytes(Fixtures.PlivoInvite);
        var message = SipParser.Parse(bytes);
        for (var i = 0; i < 50; i++)
            SipSerializer.Serialize(message);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var output1 = SipSerializer.Serialize(message);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"serialize: {allocated} bytes allocated for a {output1.Length} byte message");
        Assert.Equal(bytes, output1);
        // The output array plus the request line string.
        Assert.InRange(allocated, bytes.Length, bytes.Length + 400);
    }
}
