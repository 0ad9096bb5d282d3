using System.Net;
using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Transactions;
using Dialtone.Sip.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Dialtone.Sip.Tests.Infrastructure;

/// <summary>
/// A stack on a loopback transport in virtual time, plus a scripted "peer" endpoint whose
/// messages the test writes by hand. Advance time in small steps so restarted timers fire at their exact times.
/// </summary>
internal sealed class StackHarness : IAsyncDisposable
{
    public static readonly SipTimerOptions Timers = new() { T1 = TimeSpan.FromMilliseconds(500), T2 = TimeSpan.FromSeconds(4), T4 = TimeSpan.FromSeconds(5) };

    public StackHarness(SipTransportKind kind = SipTransportKind.Udp, SipStackOptions? options = null)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Start = Time.GetUtcNow();
        Network = new LoopbackNetwork();
        Local = Network.Bind(kind, "10.0.0.1", 5060, Time);
        Peer = Network.Bind(kind, "10.0.0.2", 5070, Time);
        Stack = new SipStack([Local], options ?? new SipStackOptions { Timers = Timers }, timeProvider: Time);
    }

    public FakeTimeProvider Time { get; }

    public DateTimeOffset Start { get; }

    public LoopbackNetwork Network { get; }

    public LoopbackTransport Local { get; }

    public LoopbackTransport Peer { get; }

    public SipStack Stack { get; }

    public SipEndPoint PeerEndPoint => Peer.EndPoint;

    public SipEndPoint LocalEndPoint => Local.EndPoint;

    public TimeSpan Elapsed(SentMessage m) => m.At - Start;

    /// <summary>Runs all queued executor work (a few rounds, since work can queue more work).</summary>
    public async Task SettleAsync()
    {
        for (var i = 0; i < 4; i++)
            await Stack.DrainAsync();
    }

    /// <summary>Advances virtual time in 100 ms steps, settling after each.</summary>
    public async Task AdvanceAsync(TimeSpan total)
    {
        var step = TimeSpan.FromMilliseconds(100);
        for (var done = TimeSpan.Zero; done < total; done += step)
        {
            Time.Advance(step);
            await SettleAsync();
        }
    }

    /// <summary>The peer sends raw text to the stack.</summary>
    public async Task PeerSendsAsync(string text)
    {
        await Peer.SendAsync(LocalEndPoint, System.Text.Encoding.UTF8.GetBytes(text));
        await SettleAsync();
    }

    public SipRequest NewRequest(string method) => SipRequestFactory.Create(
        method,
        SipUri.Parse("sip:bob@10.0.0.2:5070"),
        new SipAddress(SipUri.Parse("sip:alice@10.0.0.1")),
        new SipAddress(SipUri.Parse("sip:bob@10.0.0.2")));

    /// <summary>A response text to a request the stack sent, as the peer would write it.</summary>
    public static string ResponseTo(SentMessage request, int status, string? toTag = "peer1")
    {
        var req = (SipRequest)request.Parse();
        var response = SipResponse.CreateFor(req, status);
        if (toTag is not null && req.To!.Tag is null)
            response.To = req.To.WithTag(toTag);
        return response.ToString();
    }

    public static string RequestText(string method, string branch, string? extraHeaders = null, long cseq = 1, string callId = "call-1", string sentBy = "10.0.0.2:5070") =>
        $"{method} sip:alice@10.0.0.1:5060 SIP/2.0\r\n" +
        $"Via: SIP/2.0/UDP {sentBy};branch={branch}\r\n" +
        "Max-Forwards: 70\r\n" +
        "From: <sip:bob@10.0.0.2>;tag=from1\r\n" +
        "To: <sip:alice@10.0.0.1>\r\n" +
        $"Call-ID: {callId}\r\n" +
        $"CSeq: {cseq} {method}\r\n" +
        (extraHeaders ?? "") +
        "Content-Length: 0\r\n\r\n";

    public async ValueTask DisposeAsync() => await Stack.DisposeAsync();
}

/// <summary>A transaction user that records what the stack hands it and can answer automatically.</summary>
internal sealed class RecordingTransactionUser : ISipTransactionUser
{
    public List<SipServerTransaction> Requests { get; } = [];

    public List<SipRequest> Acks { get; } = [];

    public List<SipResponse> StrayResponses { get; } = [];

    /// <summary>When set, every new request is answered with this status right away.</summary>
    public int? AutoRespond { get; set; }

    public void OnRequest(SipServerTransaction transaction)
    {
        Requests.Add(transaction);
        if (AutoRespond is { } status)
            _ = transaction.SendResponseAsync(transaction.CreateResponse(status));
    }

    public void OnAck(SipRequest ack, SipEndPoint source) => Acks.Add(ack);

    public void OnStrayResponse(SipResponse response, SipEndPoint source) => StrayResponses.Add(response);
}
