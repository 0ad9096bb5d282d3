using BenchmarkDotNet.Running;
using Dialtone.Sip.Bench;
using Dialtone.Sip.Transport;

// dotnet run -c Release --project bench/Dialtone.Sip.Bench -- messages
//     BenchmarkDotNet: parse/serialize messages/s and bytes allocated per message.
// dotnet run -c Release --project bench/Dialtone.Sip.Bench -- cpu [rounds] [per-round]
//     The parse benchmarks (and the parse in stages) timed by the thread's CPU time, not wall clock, for a machine loaded by other work.
// dotnet run -c Release --project bench/Dialtone.Sip.Bench -- fuzz [inputs-per-function] [seed]
//     Every public Parse/TryParse of the SIP layer with 1,000,000 generated inputs each; exit 1 on an undocumented exception.
// dotnet run -c Release --project bench/Dialtone.Sip.Bench -- transactions [udp|tcp] [count] [in-flight] [seconds]
//     MESSAGE transactions/s through the full stack against a sipp UAS on 127.0.0.1.
var mode = args.FirstOrDefault() ?? "messages";
switch (mode)
{
    case "messages":
        BenchmarkRunner.Run<MessageBenchmarks>(args: args.Skip(1).ToArray());
        return 0;
    case "cpu":
        return CpuTimeCommand.Run(args.Skip(1).ToArray());
    case "fuzz":
        return FuzzCommand.Run(args.Skip(1).ToArray());
    case "transactions":
        var kind = args.ElementAtOrDefault(1) == "tcp" ? SipTransportKind.Tcp : SipTransportKind.Udp;
        var count = int.TryParse(args.ElementAtOrDefault(2), out var c) ? c : 20000;
        var inFlight = int.TryParse(args.ElementAtOrDefault(3), out var f) ? f : 32;
        var seconds = int.TryParse(args.ElementAtOrDefault(4), out var s) ? s : 30;
        var scenario = FindScenario("uas-load.xml");
        return await TransactionBenchmark.RunAsync(scenario, kind, count, inFlight, TimeSpan.FromSeconds(seconds));
    default:
        Console.Error.WriteLine("usage: Dialtone.Sip.Bench messages | cpu [rounds] | fuzz [inputs] [seed] | transactions [udp|tcp] [count] [in-flight] [seconds]");
        return 2;
}

static string FindScenario(string name)
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "tests", "infra", "sipp", name);
        if (File.Exists(candidate))
            return candidate;
    }
    throw new FileNotFoundException($"tests/infra/sipp/{name} not found above {AppContext.BaseDirectory}");
}
