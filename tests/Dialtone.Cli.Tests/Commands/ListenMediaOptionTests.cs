using System.Net;
using Dialtone.Phone;
using Dialtone.Phone.Media.Legacy;
using Dialtone.Server;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sdp;
using Dialtone.WebRtc;

namespace Dialtone.Cli.Tests.Commands;

/// <summary>
/// <c>dialtone listen --media webrtc|sdes|rtp</c> and <c>--allow-unencrypted</c>: which incoming
/// offers the listener takes. webrtc (the default): WebRTC offers only; sdes: also RTP/SAVP with SDES
/// keys; rtp (with --allow-unencrypted): also plain RTP/AVP, each such call announced on standard
/// error. Anything else is answered 488. The caller is a real user agent (embedded server, loopback
/// media) that can offer every kind.
/// </summary>
public sealed class ListenMediaOptionTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);
    private EmbeddedSipServer _server = null!;
    private UserAgent _bob = null!;

    public async Task InitializeAsync()
    {
        _server = await EmbeddedSipServer.StartAsync();
        _bob = await UserAgent.StartAsync(new UserAgentOptions
        {
            Server = _server.WebSocketUri.ToString(),
            AddressOfRecord = SipUri.Parse($"sip:bob@{_server.Domain}"),
            Audio = new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual },
            LegacyMedia = new LegacyMediaOptions { AllowUnencryptedMedia = true, LocalAddress = IPAddress.Loopback, MediaTimeout = null },
        });
    }

    public async Task DisposeAsync()
    {
        await _bob.DisposeAsync();
        await _server.DisposeAsync();
    }

    private string[] Listen(params string[] extra) =>
        ["listen", "--auto-answer", "--no-view", "--no-audio", "--server", _server.WebSocketUri.ToString(), "--user", $"sip:alice@{_server.Domain}", .. extra];

    /// <summary>Starts the listener and waits until it is registered and waiting.</summary>
    private async Task<CliRun.Running> StartListeningAsync(CancellationToken stop, params string[] extra)
    {
        var listening = new CliRun.Running(Listen(extra), stop);
        await WaitUntil(() => CountOf(listening.Output, "waiting for calls") >= 1 || listening.Completion.IsCompleted);
        Assert.False(listening.Completion.IsCompleted, listening.Output);
        return listening;
    }

    /// <summary>bob calls alice with <paramref name="profile"/>; established (then hung up once the listener is waiting again) or refused.</summary>
    private async Task<CallEnd?> CallAliceAsync(CliRun.Running listening, MediaProfile profile)
    {
        int waiting = CountOf(listening.Output, "waiting for calls");
        var call = await _bob.CallAsync($"sip:alice@{_server.Domain}", profile);
        await Task.WhenAny(call.Established, call.Ended).WaitAsync(Generous);
        if (!call.Established.IsCompletedSuccessfully) // a refused call faults Established
            return await call.Ended.WaitAsync(Generous);
        await Task.Delay(500);
        await call.HangupAsync();
        await WaitUntil(() => CountOf(listening.Output, "waiting for calls") > waiting);
        return null;
    }

    [Fact]
    public async Task Listen_media_sdes_takes_sdes_and_webrtc_calls_and_refuses_plain_rtp()
    {
        using var stop = new CancellationTokenSource();
        var listening = await StartListeningAsync(stop.Token, "--media", "sdes");

        Assert.Null(await CallAliceAsync(listening, MediaProfile.Sdes));
        Assert.Null(await CallAliceAsync(listening, MediaProfile.WebRtc));
        var refused = await CallAliceAsync(listening, MediaProfile.Plain);

        await stop.CancelAsync();
        var code = await listening.Completion.WaitAsync(Generous);
        var output = listening.Output;
        Assert.True(code == 0, output);
        Assert.True(refused?.StatusCode == 488, $"plain RTP: {refused}\n{output}");
        Assert.Contains("media: SDES-SRTP", output);
        Assert.Contains("media: WebRTC", output);
        Assert.Equal(2, CountOf(output, "answered"));
        Assert.DoesNotContain("NOT ENCRYPTED", output);
    }

    [Fact]
    public async Task Listen_media_rtp_needs_allow_unencrypted_and_announces_each_unencrypted_call()
    {
        var (refusedCode, refusal) = await CliRun.RunAsync(Listen("--media", "rtp"));
        Assert.True(refusedCode == 2, refusal);
        Assert.Contains("--allow-unencrypted", refusal);
        Assert.Empty(_server.Registrations);

        using var stop = new CancellationTokenSource();
        var listening = await StartListeningAsync(stop.Token, "--media", "rtp", "--allow-unencrypted");
        Assert.Null(await CallAliceAsync(listening, MediaProfile.Plain));
        Assert.Equal(1, CountOf(listening.Output, "NOT ENCRYPTED"));
        Assert.Null(await CallAliceAsync(listening, MediaProfile.Sdes));
        Assert.Null(await CallAliceAsync(listening, MediaProfile.Plain));

        await stop.CancelAsync();
        var code = await listening.Completion.WaitAsync(Generous);
        var output = listening.Output;
        Assert.True(code == 0, output);
        // One loud line per unencrypted call (two of them), none for the SDES call.
        Assert.Equal(2, CountOf(output, "WARNING: the media of call"));
        Assert.Equal(2, CountOf(output, "media: plain RTP/AVP (UNENCRYPTED)"));
        Assert.Equal(1, CountOf(output, "media: SDES-SRTP"));
    }

    [Fact]
    public async Task Listen_takes_webrtc_only_by_default_and_many_calls_refuse_legacy_media()
    {
        using var stop = new CancellationTokenSource();
        var listening = await StartListeningAsync(stop.Token);
        var refused = await CallAliceAsync(listening, MediaProfile.Sdes);
        await stop.CancelAsync();
        Assert.True(await listening.Completion.WaitAsync(Generous) == 0, listening.Output);
        Assert.True(refused?.StatusCode == 488, $"SDES: {refused}\n{listening.Output}");
        Assert.DoesNotContain("answered", listening.Output);

        var (code, output) = await CliRun.RunAsync(Listen("--max-calls", "2", "--media", "sdes"));
        Assert.True(code == 2, output);
        Assert.Contains("--max-calls takes WebRTC calls only", output);
    }

    private static int CountOf(string text, string part) => text.Split(part).Length - 1;

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (!condition() && DateTime.UtcNow < deadline)
            await Task.Delay(50);
    }
}
