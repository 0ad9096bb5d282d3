using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;

namespace Dialtone.Interop.Tests.Infrastructure;

/// <summary>What the page's phone.snapshot() reports.</summary>
public sealed record BrowserSnapshot(string State, BrowserCallEnd? End, BrowserHearing? Heard);

/// <summary>How JsSIP says the call ended: who ended it, JsSIP's cause, the SIP status if a response did.</summary>
public sealed record BrowserCallEnd(string Originator, string Cause, int? StatusCode);

/// <summary>What the page heard so far: tone time and digits from its AudioWorklet, levels from its AnalyserNode.</summary>
public sealed record BrowserHearing(
    double ToneHz, double ToneHeardMs, double ToneDb, double FloorDb, string Digits, string ContextState, string KeyTrace);

/// <summary>
/// One browser tab running the JsSIP softphone (tests/interop/page), driven through its
/// <c>window.phone</c> object. Waits poll the page; on a timeout the exception carries the page's
/// event log, so a failure shows the browser's side too.
/// </summary>
public sealed class BrowserPhone : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly IPage _page;
    private readonly List<string> _console = [];

    internal BrowserPhone(IPage page)
    {
        _page = page;
        _page.Console += (_, message) =>
        {
            lock (_console)
                _console.Add($"{message.Type}: {message.Text}");
        };
        _page.PageError += (_, error) =>
        {
            lock (_console)
                _console.Add($"page error: {error}");
        };
    }

    /// <param name="synthesizeHz">Non-zero: say this tone from WebAudio instead of opening the microphone.</param>
    internal Task StartAsync(SipServerEndpoint server, SipAccount account, double listenHz, double synthesizeHz) =>
        _page.EvaluateAsync("o => phone.start(o)", new
        {
            webSocketUri = server.WebSocketUri.ToString(), domain = server.Domain, user = account.User, password = account.Password,
            toneHz = listenHz, sayHz = synthesizeHz,
        });

    public Task CallAsync(string target) => _page.EvaluateAsync("t => phone.call(t)", target);

    public Task AnswerAsync() => _page.EvaluateAsync("() => phone.answer()");

    public Task RejectAsync(int statusCode) => _page.EvaluateAsync("c => phone.reject(c)", statusCode);

    public Task HangupAsync() => _page.EvaluateAsync("() => phone.hangup()");

    /// <summary>
    /// JsSIP's sendDTMF: by default RFC 4733 telephone-events (transportType RFC2833, through
    /// RTCDTMFSender); with <paramref name="sipInfo"/> SIP INFO with application/dtmf-relay.
    /// </summary>
    public Task SendDtmfAsync(string digits, int durationMs, int gapMs, bool sipInfo = false) =>
        _page.EvaluateAsync("a => phone.sendDtmf(a.digits, a.durationMs, a.gapMs, a.transportType)",
            new { digits, durationMs, gapMs, transportType = sipInfo ? "INFO" : "RFC2833" });

    public Task HoldAsync() => _page.EvaluateAsync("() => phone.hold()");

    public Task UnholdAsync() => _page.EvaluateAsync("() => phone.unhold()");

    /// <summary>JsSIP's view of the hold state: local (we hold) and remote (the peer holds).</summary>
    public async Task<(bool Local, bool Remote)> IsOnHoldAsync()
    {
        var hold = JsonDocument.Parse(await _page.EvaluateAsync<string>("() => JSON.stringify(phone.isOnHold())")).RootElement;
        return (hold.GetProperty("local").GetBoolean(), hold.GetProperty("remote").GetBoolean());
    }

    public async Task<BrowserSnapshot> SnapshotAsync() =>
        JsonSerializer.Deserialize<BrowserSnapshot>(await _page.EvaluateAsync<string>("() => JSON.stringify(phone.snapshot())"), Json)!;

    /// <summary>Audio RTP packets received and sent, from the peer connection's getStats().</summary>
    public async Task<(long Received, long Sent)> PacketsAsync()
    {
        var packets = JsonDocument.Parse(await _page.EvaluateAsync<string>("async () => JSON.stringify(await phone.packets())")).RootElement;
        return (packets.GetProperty("received").GetInt64(), packets.GetProperty("sent").GetInt64());
    }

    /// <summary>The SDP bodies JsSIP saw, in order (originator, type, text).</summary>
    public async Task<IReadOnlyList<(string Originator, string Type, string Sdp)>> SdpsAsync()
    {
        var events = JsonDocument.Parse(await _page.EvaluateAsync<string>("() => JSON.stringify(phone.events.filter(e => e.type === 'sdp'))")).RootElement;
        return events.EnumerateArray()
            .Select(e => e.GetProperty("detail"))
            .Select(d => (d.GetProperty("originator").GetString()!, d.GetProperty("type").GetString()!, d.GetProperty("sdp").GetString()!))
            .ToList();
    }

    public async Task<BrowserSnapshot> WaitForStateAsync(string state, TimeSpan within) =>
        await WaitAsync(s => s.State == state, $"state {state}", within);

    /// <summary>Waits until the page heard its tone for <paramref name="duration"/> in total.</summary>
    public async Task<BrowserSnapshot> WaitToHearToneAsync(TimeSpan duration, TimeSpan within) =>
        await WaitAsync(s => s.Heard?.ToneHeardMs >= duration.TotalMilliseconds, $"{duration.TotalMilliseconds} ms of its tone", within);

    /// <summary>Waits until <paramref name="count"/> DTMF digits were heard (or <paramref name="within"/> passed); returns what was heard.</summary>
    public async Task<BrowserHearing?> WaitForDigitsAsync(int count, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var heard = (await SnapshotAsync()).Heard;
            if (heard?.Digits.Length >= count || clock.Elapsed > within)
                return heard;
            await Task.Delay(50);
        }
    }

    private async Task<BrowserSnapshot> WaitAsync(Func<BrowserSnapshot, bool> condition, string what, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var snapshot = await SnapshotAsync();
            if (condition(snapshot))
                return snapshot;
            if (clock.Elapsed > within)
                throw new TimeoutException($"The browser did not reach {what} within {within.TotalSeconds} s; it is at {snapshot}.\n{await DescribeAsync()}");
            await Task.Delay(50);
        }
    }

    /// <summary>The page's event log (without SDP bodies) and console, for failure messages and test output.</summary>
    public async Task<string> DescribeAsync()
    {
        string events;
        try
        {
            events = await _page.EvaluateAsync<string>(
                "() => phone.events.filter(e => e.type !== 'sdp').map(e => `${e.t} ms ${e.type} ${JSON.stringify(e.detail)}`).join('\\n')");
        }
        catch (PlaywrightException e)
        {
            events = $"(page unavailable: {e.Message})";
        }
        lock (_console)
            return $"browser events:\n{events}\nbrowser console:\n{string.Join('\n', _console)}";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _page.EvaluateAsync("() => phone.stop()");
        }
        catch (PlaywrightException)
        {
            // The page never loaded or is gone already.
        }
        await _page.CloseAsync();
    }
}
