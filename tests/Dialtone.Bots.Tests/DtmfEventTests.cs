using System.Collections.Concurrent;
using Dialtone.Phone;
using Dialtone.Phone.Tests.Calls;
using Dialtone.Server;

namespace Dialtone.Bots.Tests;

/// <summary>
/// Call.DtmfReceived with RFC 4733 events read from the RTP (not from the audio): every digit exactly
/// once, in order, with its duration — on a per-call bot and on a softphone's shared device — and SIP
/// INFO digits through the same event after them.
/// </summary>
public sealed class DtmfEventTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = Eventually.Generous;
    private EmbeddedSipServer _server = null!;

    public async Task InitializeAsync() => _server = await EmbeddedSipServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Rfc4733_digits_arrive_once_each_in_order_both_ways_and_sip_info_through_the_same_event()
    {
        await using var bot = await PerCallAgent.StartAsync(_server.WebSocketUri, _server.Domain, "bot");
        // The caller is a softphone on its virtual device (shared mode), with a pump running it.
        await using var phone = await Party.StartAsync(_server.WebSocketUri, _server.Domain, "phone", sayHz: 0, listenHz: 1000);
        var botHeard = new ConcurrentQueue<DtmfReceivedEventArgs>();
        var botCall = new TaskCompletionSource<Call>(TaskCreationOptions.RunContinuationsAsynchronously);
        bot.IncomingCall += async (_, e) =>
        {
            e.Call.DtmfReceived += (_, d) => botHeard.Enqueue(d);
            botCall.TrySetResult(e.Call);
            await e.Call.AnswerAsync();
        };

        var call = await phone.Agent.CallAsync($"sip:bot@{_server.Domain}");
        var phoneHeard = new ConcurrentQueue<DtmfReceivedEventArgs>();
        call.DtmfReceived += (_, d) => phoneHeard.Enqueue(d);
        await call.Established.WaitAsync(Generous);
        var answered = await botCall.Task.WaitAsync(Generous);

        const string digits = "159#*0AD";
        await call.SendDtmfAsync(digits, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(70));
        await Eventually.True(() => botHeard.Count >= digits.Length, $"the bot received {digits.Length} RFC 4733 digits");
        // The bot answers with digits of its own: the softphone receives them as events too.
        await answered.SendDtmfAsync("42", TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(70));
        await Eventually.True(() => phoneHeard.Count >= 2, "the phone received the bot's 2 digits");
        // SIP INFO digits come through the same event, after the RTP ones.
        await call.SendDtmfInfoAsync('7', TimeSpan.FromMilliseconds(160));
        await Eventually.True(() => botHeard.Count >= digits.Length + 1, "the SIP INFO digit");
        await Task.Delay(500); // a repeated end packet or a duplicate would arrive within this

        var heard = botHeard.ToArray();
        Assert.Equal(digits + "7", new string(heard.Select(d => d.Digit).ToArray()));
        Assert.All(heard[..^1], d =>
        {
            Assert.Equal(DtmfTransport.Rfc4733, d.Transport);
            // libwebrtc sends a 100 ms tone in 120 ms steps of duration (docs/per-call-audio.md).
            Assert.InRange(d.Duration, TimeSpan.FromMilliseconds(80), TimeSpan.FromMilliseconds(400));
        });
        Assert.Equal(DtmfTransport.SipInfo, heard[^1].Transport);
        Assert.Equal(TimeSpan.FromMilliseconds(160), heard[^1].Duration);
        Assert.Equal("42", new string(phoneHeard.Select(d => d.Digit).ToArray()));
        Assert.All(phoneHeard, d => Assert.Equal(DtmfTransport.Rfc4733, d.Transport));

        await call.HangupAsync();
        await answered.Ended.WaitAsync(Generous);
    }
}
