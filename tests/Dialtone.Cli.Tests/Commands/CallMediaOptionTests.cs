using System.Net;
using Dialtone.Phone;
using Dialtone.Phone.Media.Legacy;
using Dialtone.Server;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sdp;
using Dialtone.WebRtc;

namespace Dialtone.Cli.Tests.Commands;

/// <summary>
/// <c>dialtone call --media sdes|rtp</c> against a real user agent that takes legacy calls (embedded
/// server, loopback media): the call is made with the chosen media, the view shows its RTP figures
/// (a legacy call has no peer connection), plain RTP needs <c>--allow-unencrypted</c> and is
/// announced loudly on standard error.
/// </summary>
public sealed class CallMediaOptionTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);
    private EmbeddedSipServer _server = null!;
    private UserAgent _bob = null!;
    private readonly TaskCompletionSource<Call> _incoming = new(TaskCreationOptions.RunContinuationsAsynchronously);

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
        await _bob.RegisterAsync();
        _bob.IncomingCall += async (_, e) =>
        {
            _incoming.TrySetResult(e.Call);
            await e.Call.AnswerAsync();
        };
    }

    public async Task DisposeAsync()
    {
        await _bob.DisposeAsync();
        await _server.DisposeAsync();
    }

    private string[] Call(params string[] extra) =>
        ["call", $"sip:bob@{_server.Domain}", "--server", _server.WebSocketUri.ToString(), "--user", $"sip:alice@{_server.Domain}", "--no-view", "--no-audio", .. extra];

    [Fact]
    public async Task An_sdes_call_is_answered_with_srtp_and_the_view_shows_its_rtp_figures()
    {
        var (code, output) = await CliRun.RunAsync(Call("--media", "sdes", "--duration", "3s"));

        Assert.True(code == 0, output);
        var call = await _incoming.Task.WaitAsync(Generous);
        Assert.Equal(MediaProfile.Sdes, call.LegacyMedia!.Profile);
        Assert.Contains("media: SDES-SRTP", output);
        Assert.Contains("PCMU 8 kHz", output); // the legacy stats path, not a W3C report
        Assert.DoesNotContain("NOT ENCRYPTED", output);
    }

    [Fact]
    public async Task A_plain_rtp_call_needs_allow_unencrypted_and_is_announced_loudly()
    {
        var (refused, refusal) = await CliRun.RunAsync(Call("--media", "rtp"));
        Assert.True(refused == 2, refusal);
        Assert.Contains("--allow-unencrypted", refusal);
        Assert.False(_incoming.Task.IsCompleted, "nothing was sent");

        var (code, output) = await CliRun.RunAsync(Call("--media", "rtp", "--allow-unencrypted", "--duration", "2s"));

        Assert.True(code == 0, output);
        var call = await _incoming.Task.WaitAsync(Generous);
        Assert.False(call.IsMediaEncrypted);
        Assert.Contains("WARNING", output);
        Assert.Contains("NOT ENCRYPTED", output);
    }

    [Fact]
    public async Task An_unknown_media_name_is_a_usage_error()
    {
        var (code, output) = await CliRun.RunAsync(Call("--media", "dtls"));

        Assert.True(code == 2, output);
        Assert.Contains("webrtc, sdes or rtp", output);
    }
}
