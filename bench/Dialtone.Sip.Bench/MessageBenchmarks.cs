using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Dialtone.Sip.Message;

namespace Dialtone.Sip.Bench;

/// <summary>
/// Parse and serialize cost for the fixture INVITE and a REGISTER, per message. The baseline is a
/// plain scan of the same bytes (copy them into a new array, find the end of the header section,
/// count the lines): the least any parser does, measured in the same run so that a loaded
/// machine's noise shows in the Ratio column. <see cref="ParseInviteAndReadTypedHeaders"/> is the
/// figure issue 14 asks for: parsing plus the typed headers a user agent reads.
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class MessageBenchmarks
{
    private SipMessage _invite = null!;
    private SipMessage _inviteEdited = null!;
    private SipMessage _register = null!;

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // In-process: no generated project to build (that build is slow and fragile on a loaded machine).
            AddJob(Job.Default.WithWarmupCount(5).WithIterationCount(15).WithLaunchCount(1).WithToolchain(InProcessEmitToolchain.Instance));
            AddColumn(StatisticColumn.Median, StatisticColumn.OperationsPerSecond);
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        _invite = SipParser.Parse(Fixtures.Invite);
        _register = SipParser.Parse(Fixtures.Register);
        // The same INVITE after a proxy-style edit: serialization goes header by header.
        _inviteEdited = SipParser.Parse(Fixtures.Invite);
        _inviteEdited.MaxForwards = 39;
    }

    [Benchmark(Baseline = true)]
    public int SpanScanInvite()
    {
        var copy = Fixtures.Invite.AsSpan().ToArray();
        var end = copy.AsSpan().IndexOf("\r\n\r\n"u8);
        return end + copy.AsSpan(0, end).Count((byte)'\n');
    }

    [Benchmark]
    public SipMessage ParseInvite() => SipParser.Parse(Fixtures.Invite);

    /// <summary>Parse, then read Via (every entry), From, To, CSeq, Call-ID, Contact and Content-Length.</summary>
    [Benchmark]
    public int ParseInviteAndReadTypedHeaders()
    {
        var m = SipParser.Parse(Fixtures.Invite);
        return m.Vias.Count + m.From!.Uri.Scheme.Length + m.To!.Uri.Scheme.Length + (int)m.CSeq!.Number
            + m.CallId!.Length + m.Contacts.Count + m.ContentLength!.Value;
    }

    /// <summary>
    /// The issue-14 figure: parse, then the typed reads a user agent makes, zero-copy (top Via
    /// branch, host and port; From and To tags; CSeq number and method; Call-ID; the first
    /// Contact's URI; Content-Length), each read from the message's bytes inside the measurement.
    /// </summary>
    [Benchmark]
    public int ParseInviteAndReadHeaderViews() => ReadViews(SipParser.Parse(Fixtures.Invite));

    /// <summary>
    /// What the stack runs for every received message before matching: parse, then
    /// MessageValidator (every Via, From, To, Call-ID, CSeq, Max-Forwards, Content-Type, Contact,
    /// Route and Record-Route checked), then the same typed reads.
    /// </summary>
    [Benchmark]
    public int ParseValidateAndReadHeaderViews() => ReadViews(ParseAndValidate(Fixtures.Invite));

    internal static SipMessage ParseAndValidate(byte[] data)
    {
        var m = SipParser.Parse(data);
        Dialtone.Sip.Stack.MessageValidator.Validate(m);
        return m;
    }

    internal static int ReadViews(SipMessage m)
    {
        if (!m.TryGetTopVia(out var via) || !m.TryGetFrom(out var from) || !m.TryGetTo(out var to) || !m.TryGetCSeq(out var cseq)
            || !m.TryGetCallId(out var callId) || !m.TryGetContact(out var contact))
            throw new InvalidOperationException("the fixture INVITE must read");
        return via.Branch.Length + via.Host.Length + via.Port + from.Tag.Length + to.Tag.Length + (int)cseq.Number + cseq.Method.Length
            + callId.Length + contact.Uri.Length + m.ContentLength!.Value;
    }

    [Benchmark]
    public byte[] SerializeInvite() => SipSerializer.Serialize(_invite);

    [Benchmark]
    public byte[] SerializeEditedInvite() => SipSerializer.Serialize(_inviteEdited);

    [Benchmark]
    public SipMessage ParseRegister() => SipParser.Parse(Fixtures.Register);

    [Benchmark]
    public byte[] SerializeRegister() => SipSerializer.Serialize(_register);
}
