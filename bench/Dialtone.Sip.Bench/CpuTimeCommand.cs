using Dialtone.Sip.Message;

namespace Dialtone.Sip.Bench;

/// <summary>
/// <c>cpu [rounds] [per-round]</c>: the parser benchmarks again, timed by the thread's CPU time
/// (nanosecond clock) instead of the wall clock, so time the scheduler gives to other processes on
/// a loaded machine is not counted. Each operation runs in rounds (default 20,000 calls),
/// interleaved with the span-scan baseline; the median and the fastest round are reported, each
/// with its ratio to the baseline's (nanoseconds of CPU per operation, bytes allocated per operation).
/// </summary>
internal static class CpuTimeCommand
{
    public static int Run(string[] args)
    {
        var rounds = args.Length > 0 && int.TryParse(args[0], out var r) && r > 0 ? r : 15;
        var perRound = args.Length > 1 && int.TryParse(args[1], out var n) && n > 0 ? n : 20_000;
        var invite = Fixtures.Invite;
        var parsed = SipParser.Parse(invite);
        var edited = SipParser.Parse(invite);
        edited.MaxForwards = 39; // a proxy-style edit: serialization goes header by header
        var headerEnd = invite.AsSpan().IndexOf("\r\n\r\n"u8);
        var lineFeeds = new int[SipLineFinder.Capacity];
        var lines = SipLineFinder.Find(invite, lineFeeds, out _, out _);
        var entries = new SipHeaderEntry[SipParserLimits.Default.MaxHeaderCount + 1];
        var operations = new (string Name, Func<int> Run)[]
        {
            ("span scan (baseline)", () =>
            {
                var copy = invite.AsSpan().ToArray();
                var end = copy.AsSpan().IndexOf("\r\n\r\n"u8);
                return end + copy.AsSpan(0, end).Count((byte)'\n');
            }),
            ("parse INVITE", () => SipParser.Parse(invite).Body.Length),
            ("parse INVITE + typed reads", () =>
            {
                var m = SipParser.Parse(invite);
                return m.Vias.Count + m.From!.Uri.Scheme.Length + m.To!.Uri.Scheme.Length + (int)m.CSeq!.Number
                    + m.CallId!.Length + m.Contacts.Count + m.ContentLength!.Value;
            }),
            ("parse INVITE + header views", () => MessageBenchmarks.ReadViews(SipParser.Parse(invite))),
            ("parse + validate (receive path)", () => MessageBenchmarks.ParseAndValidate(invite).Body.Length),
            ("parse + validate + views", () => MessageBenchmarks.ReadViews(MessageBenchmarks.ParseAndValidate(invite))),
            ("  parse + Via view", () => SipParser.Parse(invite).TryGetTopVia(out var v) ? v.Branch.Length : 0),
            ("  parse + From view", () => SipParser.Parse(invite).TryGetFrom(out var a) ? a.Tag.Length : 0),
            ("  parse + CSeq view", () => SipParser.Parse(invite).TryGetCSeq(out var c) ? c.Method.Length : 0),
            ("  parse + Call-ID view", () => SipParser.Parse(invite).TryGetCallId(out var i) ? i.Length : 0),
            ("  parse + Vias", () => SipParser.Parse(invite).Vias.Count),
            ("  parse + From", () => SipParser.Parse(invite).From!.Uri.Scheme.Length),
            ("  parse + To", () => SipParser.Parse(invite).To!.Uri.Scheme.Length),
            ("  parse + CSeq", () => (int)SipParser.Parse(invite).CSeq!.Number),
            ("  parse + Call-ID", () => SipParser.Parse(invite).CallId!.Length),
            ("  parse + Contacts", () => SipParser.Parse(invite).Contacts.Count),
            ("  parse + Content-Length", () => SipParser.Parse(invite).ContentLength!.Value),
            // The parse in stages (each alone, so its branches are better predicted than inside a parse):
            // where a parse's time goes.
            ("  stage: copy into a new buffer", () => invite.AsSpan().ToArray().Length),
            ("  stage: find the lines", () => SipLineFinder.Find(invite, lineFeeds, out _, out _)),
            ("  stage: scan the header lines", () =>
                SipHeaderBlock.Scan(invite.AsSpan(0, headerEnd + 2), SipParserLimits.Default, true, entries, lineFeeds, lines, out _)),
            ("  stage: views (parsed message)", () => MessageBenchmarks.ReadViews(parsed)),
            ("serialize INVITE", () => SipSerializer.Serialize(parsed).Length),
            ("serialize edited INVITE", () => SipSerializer.Serialize(edited).Length),
            // The typed parsers alone, on text (no message): what a typed read costs at least.
            ("  SipVia.Parse (2nd Via)", () => SipVia.Parse("SIP/2.0/UDP 191.201.61.52:5080;received=191.201.61.52;rport=5080;branch=z9hG4bKpU0yXc4v5eXNr").Parameters.Count),
            ("  SipAddress.Parse (From)", () => SipAddress.Parse("\"+15002309140\" <sip:+15002309140@phone.plivo.com>;tag=Hygr09ggKmpjm").Parameters.Count),
            ("  SipUri.Parse (Contact)", () => SipUri.Parse("sip:mod_sofia@191.201.61.52:5080").Host.Length),
        };
        var samples = operations.Select(_ => new List<double>()).ToArray();
        var bytes = new long[operations.Length];
        foreach (var op in operations)
            for (var i = 0; i < perRound; i++)
                op.Run(); // JIT and tiering
        for (var round = 0; round < rounds; round++)
        {
            for (var o = 0; o < operations.Length; o++)
            {
                var run = operations[o].Run;
                var cpu = ThreadCpuClock.NowNanoseconds();
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                var sink = 0;
                for (var i = 0; i < perRound; i++)
                    sink += run();
                bytes[o] = (GC.GetAllocatedBytesForCurrentThread() - allocated) / perRound;
                samples[o].Add((ThreadCpuClock.NowNanoseconds() - cpu) / perRound + (sink == int.MinValue ? 1 : 0));
            }
        }
        var baseline = Median(samples[0]);
        Console.WriteLine($"CPU time per operation ({ThreadCpuClock.Source}), median of {rounds} rounds of {perRound:N0} (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
        // The fastest round is the one least disturbed by other processes: on a loaded machine it is
        // the better estimate of the uncontended cost; the median is the typical one.
        var baselineMin = samples[0].Min();
        Console.WriteLine($"{"operation",-32} {"median ns",10} {"ratio",6} {"min ns",8} {"ratio",6} {"bytes/op",9}");
        for (var o = 0; o < operations.Length; o++)
        {
            var median = Median(samples[o]);
            var min = samples[o].Min();
            Console.WriteLine($"{operations[o].Name,-32} {median,10:F0} {median / baseline,6:F2} {min,8:F0} {min / baselineMin,6:F2} {bytes[o],9}");
        }
        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
