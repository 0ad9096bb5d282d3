using Dialtone.Cli.Tests.Commands;
using Dialtone.Cli.Tests.Terminal;
using Dialtone.Phone;
using Dialtone.Server;
using Dialtone.WebRtc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Dialtone.Cli.Tests.Softphone;

/// <summary>
/// <c>dialtone listen</c> in a real terminal with the private sound server: a call rings until the
/// a key answers it (then audio flows both ways), the r key declines the next one, and Ctrl+C
/// unregisters and quits with exit code 0.
/// </summary>
public sealed class SoftphoneListenTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private EmbeddedSipServer _server = null!;
    private PulseAudioServer _sound = null!;

    public async Task InitializeAsync()
    {
        _server = await EmbeddedSipServer.StartAsync();
        _sound = new PulseAudioServer();
    }

    public async Task DisposeAsync()
    {
        _sound.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_key_answers_r_declines_and_ctrl_c_quits_cleanly()
    {
        using var terminal = new TmuxTerminal(
            ["listen", "--server", _server.WebSocketUri.ToString(), "--user", $"sip:alice@{_server.Domain}"],
            new Dictionary<string, string> { ["PULSE_SERVER"] = _sound.Server, ["DIALTONE_PASSWORD"] = "unused" });
        await terminal.WaitForAsync("waiting for calls", Generous);
        await using var bob = await Answerer.StartAsync(_server.WebSocketUri, _server.Domain, "bob", _ => Task.CompletedTask, listenHz: PulseAudioServer.ToneHz);

        // The first call rings until a is pressed.
        var first = await bob.Agent.CallAsync($"sip:alice@{_server.Domain}");
        var screen = await terminal.WaitForAsync("ringing", Generous);
        Assert.Contains("a answer", screen);
        await Task.Delay(500);
        Assert.NotEqual(CallState.Established, first.State);
        terminal.Type("a");
        await first.Established.WaitAsync(Generous);
        await terminal.WaitForAsync("answered", Generous);
        Assert.True(await SoundCheck.HeardWithinAsync(bob.Hears, TimeSpan.FromSeconds(1), Generous), "bob did not hear alice's microphone");
        double atSpeaker = 0;
        for (var attempt = 0; attempt < 8 && atSpeaker <= 0.5; attempt++)
            atSpeaker = SoundCheck.MedianToneShare(_sound.RecordSink(TimeSpan.FromSeconds(1)), Answerer.SayHz);
        Assert.True(atSpeaker > 0.5, $"bob's tone did not reach alice's speaker ({atSpeaker:F2})");

        // h hangs up; listen waits for the next call.
        terminal.Type("h");
        Assert.Equal(CallEndReason.RemoteHangup, (await first.Ended.WaitAsync(Generous)).Reason);
        await terminal.WaitForAsync(s => s.Split("waiting for calls").Length - 1 >= 2, "listen to wait again");

        // The second call is declined with r.
        var second = await bob.Agent.CallAsync($"sip:alice@{_server.Domain}");
        await terminal.WaitForAsync(s => s.Split("ringing").Length - 1 >= 2, "the second call to ring");
        terminal.Type("r");
        var end = await second.Ended.WaitAsync(Generous);
        Assert.Equal(603, end.StatusCode);

        // Ctrl+C during a call: hang up, unregister, exit 0, promptly.
        var third = await bob.Agent.CallAsync($"sip:alice@{_server.Domain}");
        // Wait for the third call's own ring: a line after the second call's "declined". Counting
        // three "ringing" on the screen (as this test did) could be satisfied by the first call's
        // ring line plus the second call's view before it was redrawn after the decline (state
        // "ringing" and its ring line); "a" was then typed between calls, listen drops such keys,
        // and the third call rang unanswered (a full run's failure; caught on screen here 1 in 15).
        await terminal.WaitForAsync(RingsAfter("declined (603)"), "the third call to ring");
        terminal.Type("a");
        await third.Established.WaitAsync(Generous);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        terminal.Press("C-c");
        Assert.True(await terminal.ExitCodeAsync(Generous) == 0, terminal.Screen());
        output.WriteLine($"Ctrl+C to exit: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"Ctrl+C took {clock.Elapsed.TotalSeconds:F1} s to end the process");
        Assert.Equal(CallEndReason.RemoteHangup, (await third.Ended.WaitAsync(Generous)).Reason);
        Assert.DoesNotContain(_server.Registrations, r => r.AddressOfRecord.Contains("alice", StringComparison.Ordinal));
        output.WriteLine(terminal.Screen());
    }

    /// <summary>True once a call rings after the last <paramref name="previous"/> line (which stays on the 40-line screen).</summary>
    private static Func<string, bool> RingsAfter(string previous) => screen =>
    {
        var at = screen.LastIndexOf(previous, StringComparison.Ordinal);
        return at >= 0 && screen.IndexOf("call: ringing:", at, StringComparison.Ordinal) > at;
    };
}
