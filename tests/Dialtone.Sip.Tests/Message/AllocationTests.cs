using Dialtone.Sip.Message;
using Dialtone.Sip.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Dialtone.Sip.Tests.Message;

/// <summary>
/// Parsing allocates the message object and one buffer (the message's bytes and a 24-byte index
/// entry per header line) — no string, header object or URI until one is asked for. Typed reads
/// allocate only what they return. Serializing an unedited message allocates only its output.
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
        // One buffer: 1,289 message bytes + 22 index entries x 24 bytes (+ array header), and the
        // request object (~200 bytes): about 2 KB, where the header text alone once took 2 KB.
        var buffer = 16 + ((bytes.Length + 7) & ~7) + 22 * 24;
        Assert.InRange(perMessage, buffer, buffer + 256);
    }

    [Fact]
    public void ReadingTheTypedHeaders_AllocatesOnlyWhatTheyReturn()
    {
        var bytes = Fixtures.Bytes(Fixtures.PlivoInvite);
        static int Read(SipMessage m) =>
            m.Vias.Count + m.From!.Uri.Scheme.Length + m.To!.Uri.Scheme.Length + (int)m.CSeq!.Number + m.CallId!.Length + m.Contacts.Count + m.ContentLength!.Value;
        for (var i = 0; i < 50; i++)
            Read(SipParser.Parse(bytes));
        const int rounds = 200;
        var parsed = new SipMessage[rounds];
        for (var i = 0; i < rounds; i++)
            parsed[i] = SipParser.Parse(bytes);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < rounds; i++)
            Read(parsed[i]);
        var perMessage = (GC.GetAllocatedBytesForCurrentThread() - before) / rounds;
        output.WriteLine($"typed reads (Via x2, From, To, CSeq, Call-ID, Contact, Content-Length): {perMessage} bytes per message");
        // 2 Vias, 3 addresses with their URIs, hosts, users, parameter arrays, tags, a CSeq, the
        // Call-ID string and two lists: what the public records hold, nothing for scratch text.
        Assert.InRange(perMessage, 1, 2048);
        var second = GC.GetAllocatedBytesForCurrentThread();
        Read(parsed[0]);
        Assert.Equal(second, GC.GetAllocatedBytesForCurrentThread()); // cached: reading again allocates nothing
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
        // The output array only: the unedited message copies its own start line and header section.
        Assert.InRange(allocated, bytes.Length, bytes.Length + 32);
    }
}
