using Dialtone.Interop.Tests.Infrastructure;
using Dialtone.Phone;
using Xunit.Abstractions;

namespace Dialtone.Interop.Tests;

/// <summary>
/// Dialtone and a JsSIP softphone in headless Chromium, registered to the same SIP-over-WebSocket
/// server, calling each other with real audio both ways. Each concrete subclass names the server
/// (and so the transport); every scenario runs against each.
/// </summary>
[Collection(InteropCollection.Name)]
public abstract class BrowserInteropTests(InteropEnvironment browser, ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>What Dialtone says; the browser says <see cref="InteropEnvironment.BrowserSaysHz"/>.</summary>
    private const double DialtoneSaysHz = 1000;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ToneLength = TimeSpan.FromMilliseconds(500);

    private IInteropServer _server = null!;
    private readonly List<BrowserPhone> _browserPhones = [];
    private readonly List<DialtonePhone> _dialtonePhones = [];

    /// <summary>Starts the server this class tests through.</summary>
    protected abstract Task<IInteropServer> StartServerAsync(InteropEnvironment environment);

    private SipServerEndpoint Server => _server.Endpoint;

    public async Task InitializeAsync()
    {
        _server = await StartServerAsync(browser);
        output.WriteLine($"Chromium {browser.ChromiumVersion}, JsSIP {browser.JsSipVersion}, server {Server}");
    }

    public async Task DisposeAsync()
    {
        foreach (var phone in _browserPhones)
        {
            output.WriteLine(await phone.DescribeAsync());
            await phone.DisposeAsync();
        }
        foreach (var phone in _dialtonePhones)
            await phone.DisposeAsync();
        await _server.DisposeAsync();
    }

    private async Task<BrowserPhone> BrowserAsync(double listenHz = DialtoneSaysHz, bool hideLocalAddressesWithMdns = false)
    {
        var phone = await browser.OpenPhoneAsync(Server, Server.Browser, listenHz, hideLocalAddressesWithMdns);
        _browserPhones.Add(phone);
        return phone;
    }

    private async Task<DialtonePhone> DialtoneAsync(double sayHz = DialtoneSaysHz)
    {
        var phone = await DialtonePhone.StartAsync(Server, Server.Dialtone, sayHz, InteropEnvironment.BrowserSaysHz);
        _dialtonePhones.Add(phone);
        return phone;
    }

    /// <summary>Dialtone calls the browser, which answers; both established.</summary>
    private async Task<Call> DialtoneCallsAndBrowserAnswersAsync(DialtonePhone dialtone, BrowserPhone phone)
    {
        var call = await dialtone.Agent.CallAsync(Server.UriOf(Server.Browser.User));
        await phone.WaitForStateAsync("ringing", Generous);
        await phone.AnswerAsync();
        await call.Established.WaitAsync(Generous);
        await phone.WaitForStateAsync("established", Generous);
        return call;
    }

    /// <summary>The browser calls Dialtone, which answers; both established.</summary>
    private async Task<Call> BrowserCallsAndDialtoneAnswersAsync(DialtonePhone dialtone, BrowserPhone phone)
    {
        var incoming = dialtone.NextIncomingCallAsync();
        await phone.CallAsync(Server.UriOf(Server.Dialtone.User));
        var call = await incoming.WaitAsync(Generous);
        await call.AnswerAsync().WaitAsync(Generous);
        await phone.WaitForStateAsync("established", Generous);
        return call;
    }

    [Fact]
    public async Task Dialtone_calls_the_browser_each_hears_the_other_and_the_browser_sees_the_hangup()
    {
        var phone = await BrowserAsync();
        var dialtone = await DialtoneAsync();

        var call = await DialtoneCallsAndBrowserAnswersAsync(dialtone, phone);

        var heard = (await phone.WaitToHearToneAsync(ToneLength, Generous)).Heard!;
        Assert.True(await dialtone.Probe.HearsToneAsync(ToneLength, Generous), $"Dialtone did not hear the browser's {InteropEnvironment.BrowserSaysHz} Hz tone");
        // Plain tones are no digits: the DTMF detectors on both sides stay quiet.
        Assert.Equal("", heard.Digits);
        Assert.Equal("", dialtone.Probe.Digits);

        await call.HangupAsync();
        Assert.Equal(CallEndReason.LocalHangup, (await call.Ended.WaitAsync(Generous)).Reason);
        var end = (await phone.WaitForStateAsync("ended", Generous)).End!;
        Assert.Equal("remote", end.Originator);
        Assert.Equal("Terminated", end.Cause); // JsSIP's cause for a BYE
    }

    [Fact]
    public async Task The_browser_calls_Dialtone_each_hears_the_other_and_Dialtone_sees_the_hangup()
    {
        var phone = await BrowserAsync();
        var dialtone = await DialtoneAsync();

        var call = await BrowserCallsAndDialtoneAnswersAsync(dialtone, phone);

        Assert.True(await dialtone.Probe.HearsToneAsync(ToneLength, Generous), $"Dialtone did not hear the browser's {InteropEnvironment.BrowserSaysHz} Hz tone");
        await phone.WaitToHearToneAsync(ToneLength, Generous);

        await phone.HangupAsync();
        Assert.Equal(CallEndReason.RemoteHangup, (await call.Ended.WaitAsync(Generous)).Reason);
        var end = (await phone.WaitForStateAsync("ended", Generous)).End!;
        Assert.Equal("local", end.Originator);
    }

    [Fact]
    public async Task Chromiums_offer_is_taken_as_it_is_and_Dialtones_answer_is_complete()
    {
        var phone = await BrowserAsync();
        var dialtone = await DialtoneAsync();
        await BrowserCallsAndDialtoneAnswersAsync(dialtone, phone);

        var sdps = await phone.SdpsAsync();
        var offer = sdps.First(s => s is { Originator: "local", Type: "offer" }).Sdp;
        var answer = sdps.First(s => s is { Originator: "remote", Type: "answer" }).Sdp;
        output.WriteLine($"Chromium's offer:\n{offer}\nDialtone's answer:\n{answer}");
        // What Chromium offers besides the basics, all of which Dialtone took (the call is up).
        foreach (var attribute in new[] { "a=group:BUNDLE", "a=extmap-allow-mixed", "a=rtcp-mux", "a=rtcp-rsize", "a=ice-options:trickle", "a=extmap:" })
            Assert.Contains(attribute, offer);
        // SIP does not trickle: Dialtone's answer carries its candidates, DTLS fingerprint and Opus.
        foreach (var attribute in new[] { "a=candidate:", "a=fingerprint:sha-256", "opus/48000/2", "a=setup:active", "a=rtcp-mux" })
            Assert.Contains(attribute, answer);
        Assert.True(await dialtone.Probe.HearsToneAsync(ToneLength, Generous), "no audio from the browser");
    }

    [Fact]
    public async Task A_browser_hiding_its_address_behind_mDNS_still_talks_with_Dialtone()
    {
        var phone = await BrowserAsync(hideLocalAddressesWithMdns: true);
        var dialtone = await DialtoneAsync();

        await BrowserCallsAndDialtoneAnswersAsync(dialtone, phone);

        var offer = (await phone.SdpsAsync()).First(s => s is { Originator: "local", Type: "offer" }).Sdp;
        var hosts = offer.Split('\n').Where(l => l.StartsWith("a=candidate:", StringComparison.Ordinal) && l.Contains(" typ host", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(hosts);
        Assert.All(hosts, candidate => Assert.Contains(".local ", candidate)); // no address Dialtone could dial
        // Dialtone learns the browser's address from its connectivity checks (a peer-reflexive candidate).
        Assert.True(await dialtone.Probe.HearsToneAsync(ToneLength, Generous), "Dialtone did not hear the browser");
        await phone.WaitToHearToneAsync(ToneLength, Generous);
    }

    [Fact]
    public async Task Dtmf_from_the_browser_reaches_Dialtone_as_RFC_4733_events_in_order()
    {
        var phone = await BrowserAsync();
        var dialtone = await DialtoneAsync();
        var call = await BrowserCallsAndDialtoneAnswersAsync(dialtone, phone);
        var digits = new System.Text.StringBuilder();
        var transports = new List<DtmfTransport>();
        call.DtmfReceived += (_, e) =>
        {
            lock (digits)
            {
                digits.Append(e.Digit);
                transports.Add(e.Transport);
            }
        };
        Assert.True(await dialtone.Probe.HearsToneAsync(ToneLength, Generous), "no audio from the browser before the digits");

        // Chromium sends telephone-events (RTCDTMFSender); Dialtone reads them from the RTP, not
        // from decoded audio, so a loaded machine cannot lose one.
        await phone.SendDtmfAsync("1597#*", durationMs: 250, gapMs: 150);

        await WaitUntilAsync(() =>
        {
            lock (digits)
                return Task.FromResult(digits.Length >= 6);
        }, "six RFC 4733 digits");
        await Task.Delay(300); // a seventh (duplicate) event would arrive within the next packets
        lock (digits)
        {
            Assert.Equal("1597#*", digits.ToString());
            Assert.All(transports, transport => Assert.Equal(DtmfTransport.Rfc4733, transport));
        }
    }

    [Fact]
    public async Task Dtmf_from_the_browser_as_SIP_INFO_is_reported_by_Dialtone_in_order()
    {
        var phone = await BrowserAsync();
        var dialtone = await DialtoneAsync();
        var call = await BrowserCallsAndDialtoneAnswersAsync(dialtone, phone);
        var digits = new System.Text.StringBuilder();
        call.DtmfReceived += (_, e) =>
        {
            lock (digits)
                digits.Append(e.Digit);
        };

        await phone.SendDtmfAsync("3#7*", durationMs: 160, gapMs: 100, sipInfo: true);

        await WaitUntilAsync(() =>
        {
            lock (digits)
                return Task.FromResult(digits.Length >= 4);
        }, "four INFO digits");
        lock (digits)
            Assert.Equal("3#7*", digits.ToString());
        Assert.Equal("", dialtone.Probe.Digits); // signalled, not played in the audio
    }

    [Fact]
    public async Task Dtmf_from_Dialtone_reaches_the_browser_in_order()
    {
        var phone = await BrowserAsync();
        var dialtone = await DialtoneAsync(sayHz: 0); // silence between digits: the page hears only the tones
        var call = await DialtoneCallsAndBrowserAnswersAsync(dialtone, phone);
        Assert.True(await dialtone.Probe.HearsToneAsync(ToneLength, Generous), "no audio from the browser before the digits");

        // The telephone-event payloads each side offered and answered, for reading a failure.
        foreach (var (originator, type, sdp) in await phone.SdpsAsync())
            output.WriteLine($"{originator} {type}: {string.Join(" | ", sdp.Split('\n').Where(l => l.Contains("telephone-event") || l.StartsWith("m=audio")))}");
        // libwebrtc's jitter buffer — Chromium's and Dialtone's alike — plays a 160 ms telephone-event
        // out as about 80 ms of tone, and once the page heard the last one for a single 10 ms block
        // (docs/interop.md). With 250 ms digits, a run with two full test suites loading the machine
        // heard one digit for a single block (the others for 7–10): 400 ms digits carry twice the
        // event packets and stay well above the two blocks a detector needs.
        call.SendDtmf("2580*#", TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(200));

        var heard = await phone.WaitForDigitsAsync(6, Generous);
        output.WriteLine($"browser's 10 ms blocks ('.' no digit): {heard?.KeyTrace}");
        Assert.Equal("2580*#", heard?.Digits);
    }

    [Fact]
    public async Task Hold_from_Dialtone_stops_the_browser_sending_and_resume_restarts_it()
    {
        var phone = await BrowserAsync();
        var dialtone = await DialtoneAsync();
        var call = await DialtoneCallsAndBrowserAnswersAsync(dialtone, phone);
        Assert.True(await dialtone.Probe.HearsToneAsync(ToneLength, Generous));

        await call.HoldAsync();
        Assert.Equal(CallState.OnHold, call.State);
        await WaitUntilAsync(async () => (await phone.IsOnHoldAsync()).Remote, "JsSIP to see the remote hold");
        // The held browser answered recvonly (RFC 3264 §8.4): it stops sending, Dialtone receives nothing.
        var (before, held) = await CountOverOneSecondAsync(phone, call);
        Assert.Equal(before.BrowserSent, held.BrowserSent);
        Assert.Equal(before.DialtoneReceived, held.DialtoneReceived);

        await call.ResumeAsync();
        Assert.Equal(CallState.Established, call.State);
        await WaitUntilAsync(async () => !(await phone.IsOnHoldAsync()).Remote, "JsSIP to see the resume");
        await WaitUntilAsync(async () => (await phone.PacketsAsync()).Sent > held.BrowserSent + 20, "the browser to send again");
        await WaitUntilAsync(async () => await PacketsReceivedAsync(call) > held.DialtoneReceived + 20, "Dialtone to receive again");
    }

    [Fact]
    public async Task Hold_from_the_browser_stops_its_received_packets_and_resume_restarts_them()
    {
        var phone = await BrowserAsync();
        var dialtone = await DialtoneAsync();
        var call = await BrowserCallsAndDialtoneAnswersAsync(dialtone, phone);
        await phone.WaitToHearToneAsync(ToneLength, Generous);

        await phone.HoldAsync();
        await WaitUntilAsync(() => Task.FromResult(call.IsRemoteHold && call.State == CallState.OnHold), "Dialtone to see the remote hold");
        // Dialtone answered recvonly: it stops sending, the browser's received-packet count stands still.
        var (before, held) = await CountOverOneSecondAsync(phone, call);
        Assert.Equal(before.BrowserReceived, held.BrowserReceived);

        await phone.UnholdAsync();
        await WaitUntilAsync(() => Task.FromResult(!call.IsRemoteHold && call.State == CallState.Established), "Dialtone to see the resume");
        await WaitUntilAsync(async () => (await phone.PacketsAsync()).Received > held.BrowserReceived + 20, "the browser to receive again");
    }

    [Fact]
    public async Task The_browser_rejects_with_486_and_Dialtone_reports_it()
    {
        var phone = await BrowserAsync();
        var dialtone = await DialtoneAsync();

        var call = await dialtone.Agent.CallAsync(Server.UriOf(Server.Browser.User));
        await phone.WaitForStateAsync("ringing", Generous);
        await phone.RejectAsync(486);

        var end = await call.Ended.WaitAsync(Generous);
        Assert.Equal(CallEndReason.Rejected, end.Reason);
        Assert.Equal(486, end.StatusCode);
        Assert.Equal("local", (await phone.WaitForStateAsync("failed", Generous)).End!.Originator);
    }

    [Fact]
    public async Task Dialtone_cancels_a_ringing_call_and_the_browser_sees_it()
    {
        var phone = await BrowserAsync();
        var dialtone = await DialtoneAsync();

        var call = await dialtone.Agent.CallAsync(Server.UriOf(Server.Browser.User));
        await phone.WaitForStateAsync("ringing", Generous);
        await WaitUntilAsync(() => Task.FromResult(call.State == CallState.Ringing), "Dialtone to hear the 180");
        await call.HangupAsync();

        var end = await call.Ended.WaitAsync(Generous);
        Assert.Equal(CallEndReason.LocalHangup, end.Reason);
        Assert.Equal(487, end.StatusCode);
        var browserEnd = (await phone.WaitForStateAsync("failed", Generous)).End!;
        Assert.Equal("remote", browserEnd.Originator);
        Assert.Equal("Canceled", browserEnd.Cause); // JsSIP's cause for a CANCEL
    }

    private sealed record Counters(long BrowserSent, long BrowserReceived, long DialtoneReceived);

    private static async Task<Counters> CountersAsync(BrowserPhone phone, Call call)
    {
        var browserPackets = await phone.PacketsAsync();
        return new Counters(browserPackets.Sent, browserPackets.Received, await PacketsReceivedAsync(call));
    }

    /// <summary>Lets packets in flight arrive, then reads the counters twice, a second apart.</summary>
    private static async Task<(Counters Before, Counters After)> CountOverOneSecondAsync(BrowserPhone phone, Call call)
    {
        await Task.Delay(500);
        var before = await CountersAsync(phone, call);
        await Task.Delay(1000);
        return (before, await CountersAsync(phone, call));
    }

    private static async Task<long> PacketsReceivedAsync(Call call)
    {
        var stats = await call.GetStatsAsync();
        return stats.InboundRtp.Where(s => s.Kind == "audio").Sum(s => s.PacketsReceived ?? 0);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }
}
