using Dialtone.Phone;
using Dialtone.Phone.Tests.Calls;
using Dialtone.Server;
using Dialtone.Sip.Message;
using Dialtone.WebRtc;

namespace Dialtone.Bots.Tests;

/// <summary>Per-call audio options: checked when the user agent starts; a per-call chooser's failure refuses that call (488), not the agent.</summary>
public sealed class PerCallOptionsTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = Eventually.Generous;
    private EmbeddedSipServer _server = null!;

    public async Task InitializeAsync() => _server = await EmbeddedSipServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(44100, 1000)]
    [InlineData(16000, 5)]
    public async Task Per_call_audio_options_are_checked_when_the_user_agent_starts(int rate, int bufferMs)
    {
        var options = new UserAgentOptions
        {
            Server = _server.WebSocketUri.ToString(),
            AddressOfRecord = SipUri.Parse($"sip:bot@{_server.Domain}"),
            Audio = new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.PerCall },
            Media = new Phone.Media.CallMediaOptions { CallAudio = new CallAudioSourceOptions { SampleRate = rate, Buffer = TimeSpan.FromMilliseconds(bufferMs) } },
        };
        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => UserAgent.StartAsync(options));
        Assert.Contains("Media.CallAudio", e.Message);
    }

    [Fact]
    public async Task A_per_call_chooser_that_fails_refuses_the_incoming_call_with_488()
    {
        await using var bot = await PerCallAgent.StartAsync(_server.WebSocketUri, _server.Domain, "bot",
            choose: _ => new CallAudioSourceOptions { SampleRate = 11025 });
        await using var caller = await PerCallAgent.StartAsync(_server.WebSocketUri, _server.Domain, "caller");
        bot.IncomingCall += (_, e) => _ = e.Call.AnswerAsync();
        var call = await caller.CallAsync($"sip:bot@{_server.Domain}");
        var end = await call.Ended.WaitAsync(Generous);
        Assert.Equal(488, end.StatusCode);
    }
}
