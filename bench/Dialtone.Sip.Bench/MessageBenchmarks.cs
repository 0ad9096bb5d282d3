using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Dialtone.Sip.Message;

namespace Dialtone.Sip.Bench;

/// <summary>
/// Parse and serialize throughput for the fixture INVITE and a REGISTER. "Op/s" is messages per
/// second; "Allocated" is bytes allocated per message.
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class MessageBenchmarks
{
    private SipMessage _invite = null!;
    private SipMessage _register = null!;

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(8).WithLaunchCount(1));
            AddColumn(StatisticColumn.OperationsPerSecond);
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        _invite = SipParser.Parse(Fixtures.Invite);
        _register = SipParser.Parse(Fixtures.Register);
    }

    [Benchmark]
    public SipMessage ParseInvite() => SipParser.Parse(Fixtures.Invite);

    [Benchmark]
    public byte[] SerializeInvite() => SipSerializer.Serialize(_invite);

    [Benchmark]
    public SipMessage ParseRegister() => SipParser.Parse(Fixtures.Register);

    [Benchmark]
    public byte[] SerializeRegister() => SipSerializer.Serialize(_register);
}
