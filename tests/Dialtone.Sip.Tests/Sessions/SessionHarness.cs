using System.Net;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sessions;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Tests.Infrastructure;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Tests.Sessions;

/// <summary>
/// User agents with session layers on one in-memory network in virtual time (UDP, so the
/// retransmission timers run too), plus a raw endpoint whose messages a test writes by hand.
/// </summary>
internal sealed class SessionHarness : IAsyncDisposable
{
    private readonly List<SessionParty> _parties = [];

    public SessionHarness()
    {
        Time = new TimerRecordingTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Network = new LoopbackNetwork();
        Raw = Network.Bind(SipTransportKind.Udp, "10.0.0.9", 5060, Time);
        Raw.FrameReceived += (_, _, data) =>
        {
            var text = System.Text.Encoding.UTF8.GetString(data);
            lock (RawReceived)
                RawReceived.Add(text);
        };
    }

    public SipUri RawUri => SipUri.Parse("sip:peer@10.0.0.9:5060");

    /// <summary>The requests the scripted peer received with this method, parsed.</summary>
    public List<SipRequest> RawRequests(string method)
    {
        lock (RawReceived)
            return RawReceived.Where(t => t.StartsWith(method + " ", StringComparison.Ordinal)).Select(t => (SipRequest)SipParser.Parse(System.Text.Encoding.UTF8.GetBytes(t))).ToList();
    }

    /// <summary>A response of the scripted peer to <paramref name="request"/>, with its To tag, Contact and optional body and headers.</summary>
    public static string Answer(SipRequest request, int status, string? toTag, string? body = null, string? extraHeader = null)
    {
        var response = SipResponse.CreateFor(request, status);
        if (toTag is not null && request.To!.Tag is null)
            response.To = request.To.WithTag(toTag);
        if (status is > 100 and < 300)
            response.Headers.Add(SipHeaderNames.Contact, $"<sip:peer-{toTag}@10.0.0.9:5060>");
        if (extraHeader is not null)
        {
            var colon = extraHeader.IndexOf(':');
            response.Headers.Add(extraHeader[..colon], extraHeader[(colon + 1)..].Trim());
        }
        if (body is not null)
            response.SetBody(System.Text.Encoding.UTF8.GetBytes(body), SipContentType.Sdp);
        return response.ToString();
    }

    /// <summary>Like <see cref="Answer"/>, with any number of extra header lines ("Name: value").</summary>
    public static string AnswerWith(SipRequest request, int status, string? toTag, string? body, params string[] headers)
    {
        var response = SipResponse.CreateFor(request, status);
        if (toTag is not null && request.To!.Tag is null)
            response.To = request.To.WithTag(toTag);
        if (status is > 100 and < 300)
            response.Headers.Add(SipHeaderNames.Contact, $"<sip:peer-{toTag}@10.0.0.9:5060>");
        foreach (var header in headers)
        {
            var colon = header.IndexOf(':');
            response.Headers.Add(header[..colon], header[(colon + 1)..].Trim());
        }
        if (body is not null)
            response.SetBody(System.Text.Encoding.UTF8.GetBytes(body), SipContentType.Sdp);
        return response.ToString();
    }

    public static string Sdp(string origin) => $"v=0\r\no={origin} 1 1 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n";

    public TimerRecordingTimeProvider Time { get; }

    public LoopbackNetwork Network { get; }

    /// <summary>A scripted peer: read what it got from <see cref="LoopbackTransport.Sent"/> of the others, answer with <see cref="RawSendAsync"/>.</summary>
    public LoopbackTransport Raw { get; }

    public List<string> RawReceived { get; } = [];

    public SessionParty Party(string name, string ip, Func<SessionAgentOptions, SessionAgentOptions>? configure = null)
    {
        var party = new SessionParty(this, name, ip, configure);
        _parties.Add(party);
        return party;
    }

    /// <summary>
    /// Runs the executors until they are all idle: a pass in which each ran nothing but its own
    /// drain marker, so no work is left that could still start a timer or send a message before the
    /// clock moves. (Session code gets its responses as executor work items, not through the thread
    /// pool, which is what makes this barrier complete.) Bounded, in case two parties keep each
    /// other busy for ever.
    /// </summary>
    public async Task SettleAsync()
    {
        for (var pass = 0; pass < 100; pass++)
        {
            var before = _parties.Select(p => p.Stack.WorkItemsRun).ToList();
            foreach (var p in _parties)
                await p.Stack.DrainAsync();
            await Task.Yield();
            // A disposed party's drain runs no marker: at most one item each means idle.
            if (pass >= 1 && _parties.Select((p, i) => p.Stack.WorkItemsRun - before[i]).All(ran => ran <= 1))
                return;
        }
    }

    /// <summary>Advances virtual time in 100 ms steps, settling after each.</summary>
    public async Task AdvanceAsync(TimeSpan total, TimeSpan? by = null)
    {
        var step = by ?? TimeSpan.FromMilliseconds(100);
        for (var done = TimeSpan.Zero; done < total; done += step)
        {
            Time.Advance(step);
            await SettleAsync();
        }
    }

    /// <summary>Waits (real time, bounded) until <paramref name="condition"/> holds, settling the executors meanwhile.</summary>
    public async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Not reached within 10 s: {what}");
            await SettleAsync();
            await Task.Delay(5);
        }
    }

    /// <summary>Awaits a task while settling (its completion may need executor work).</summary>
    public async Task<T> AwaitAsync<T>(Task<T> task, string what)
    {
        await UntilAsync(() => task.IsCompleted, what);
        return await task;
    }

    public async Task AwaitAsync(Task task, string what)
    {
        await UntilAsync(() => task.IsCompleted, what);
        await task;
    }

    public Task RawSendAsync(SipEndPoint to, string text) => Raw.SendAsync(to, System.Text.Encoding.UTF8.GetBytes(text)).AsTask();

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _parties)
            await p.Stack.DisposeAsync();
    }
}

internal sealed class SessionParty
{
    public SessionParty(SessionHarness harness, string name, string ip, Func<SessionAgentOptions, SessionAgentOptions>? configure)
    {
        Name = name;
        Transport = harness.Network.Bind(SipTransportKind.Udp, ip, 5060, harness.Time);
        Stack = new SipStack([Transport], new SipStackOptions { Timers = StackHarness.Timers, SupportedExtensions = SessionAgent.RequirableExtensions }, timeProvider: harness.Time);
        Media = new FakeMediaFactory(name);
        var options = new SessionAgentOptions
        {
            Identity = new SipAddress(SipUri.Parse($"sip:{name}@example.test")),
            Contact = new SipAddress(SipUri.Parse($"sip:{name}@{ip}:5060")),
            Media = Media,
        };
        Agent = new SessionAgent(Stack, configure is null ? options : configure(options));
        Stack.TransactionUser = Agent;
    }

    public string Name { get; }

    public LoopbackTransport Transport { get; }

    public SipStack Stack { get; }

    public FakeMediaFactory Media { get; }

    public SessionAgent Agent { get; }

    public SipUri Uri => SipUri.Parse($"sip:{Name}@{Transport.LocalHostPort.Host}:5060");

    public SipEndPoint EndPoint => Transport.EndPoint;

    /// <summary>Request lines and status lines this party sent, in order.</summary>
    public List<string> SentLines() => Transport.Sent.Select(m => m.FirstLine).ToList();

    public List<SipMessage> SentMessages() => Transport.Sent.Select(m => m.Parse()).ToList();
}
