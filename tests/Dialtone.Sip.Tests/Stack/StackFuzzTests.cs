using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Dialtone.Sip.Tests.Stack;

/// <summary>Garbage and near-valid messages thrown at a running stack: no crash, no error inside the executor, still serving.</summary>
public sealed class StackFuzzTests
{
    private static readonly byte[] Noise = "\r\n:;,<>\"@ =0"u8.ToArray();

    [Fact]
    public async Task MutatedTraffic_NeverBreaksTheStack()
    {
        var log = new ListLogger<SipStack>();
        var h = new StackHarness(options: new SipStackOptions { Timers = StackHarness.Timers });
        await using var stack = new SipStack([h.Network.Bind(Dialtone.Sip.Transport.SipTransportKind.Udp, "10.0.0.7", 5060, h.Time)],
            new SipStackOptions { Timers = StackHarness.Timers }, timeProvider: h.Time, logger: log)
        {
            TransactionUser = new RecordingTransactionUser { AutoRespond = 200 },
        };
        var target = new Dialtone.Sip.Transport.SipEndPoint(Dialtone.Sip.Transport.SipTransportKind.Udp, new System.Net.IPEndPoint(System.Net.IPAddress.Parse("10.0.0.7"), 5060));
        var received = new System.Collections.Concurrent.ConcurrentQueue<string>();
        h.Peer.FrameReceived += (_, _, bytes) => received.Enqueue(System.Text.Encoding.UTF8.GetString(bytes));
        var random = new Random(42);
        var sources = new[] { Fixtures.Bytes(Fixtures.PlivoInvite), Fixtures.Bytes(Fixtures.Linphone488), Fixtures.Bytes(StackHarness.RequestText("OPTIONS", "z9hG4bKfuzz")) };
        for (var i = 0; i < 1500; i++)
        {
            var data = (byte[])sources[i % 3].Clone();
            for (var e = random.Next(1, 4); e > 0; e--)
                data[random.Next(data.Length)] = Noise[random.Next(Noise.Length)];
            await h.Peer.SendAsync(target, data);
        }
        for (var i = 0; i < 4; i++)
            await stack.DrainAsync();

        Assert.DoesNotContain(log.Lines, l => l.Level >= LogLevel.Error);
        Assert.Contains(received, r => r.StartsWith("SIP/2.0 400", StringComparison.Ordinal)); // some mutations are answered 400
        // Still answering normally.
        received.Clear();
        await h.Peer.SendAsync(target, Fixtures.Bytes(StackHarness.RequestText("OPTIONS", "z9hG4bKafter", callId: "after-fuzz")));
        for (var i = 0; i < 4; i++)
            await stack.DrainAsync();
        Assert.Contains(received, r => r.StartsWith("SIP/2.0 200", StringComparison.Ordinal) && r.Contains("Call-ID: after-fuzz"));
        await h.DisposeAsync();
    }
}
