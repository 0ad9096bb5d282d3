using Dialtone.Phone;
using Dialtone.Phone.Tests.Calls;
using Dialtone.Server;

namespace Dialtone.Bots.Tests;

/// <summary>
/// Call.MediaReleased: a bot that records a call and never disposes the recording itself can read a
/// complete WAV file (sizes patched) as soon as the call's media is released, after the peer hung up;
/// and once released, a call is the application's alone — the user agent keeps nothing of it, so a
/// process that takes calls for days does not grow with every call it ever had.
/// </summary>
public sealed class MediaReleasedTests : IAsyncLifetime
{
    private EmbeddedSipServer _server = null!;
    private readonly string _folder = Directory.CreateTempSubdirectory("dialtone-released-").FullName;

    public async Task InitializeAsync() => _server = await EmbeddedSipServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_recording_the_app_never_disposed_is_complete_once_the_media_is_released()
    {
        await using var bot = await PerCallAgent.StartAsync(_server.WebSocketUri, _server.Domain, "bot");
        await using var caller = await PerCallAgent.StartAsync(_server.WebSocketUri, _server.Domain, "caller");
        var recording = Path.Combine(_folder, "call.wav");
        var botCall = new TaskCompletionSource<Call>(TaskCreationOptions.RunContinuationsAsynchronously);
        bot.IncomingCall += async (_, e) =>
        {
            e.Call.Audio.Record(recording); // not disposed here: released with the call's media
            botCall.TrySetResult(e.Call);
            await e.Call.AnswerAsync();
        };

        var call = await caller.CallAsync($"sip:bot@{_server.Domain}");
        call.Audio.PlayWav(Wav.WriteTone(Path.Combine(_folder, "voice.wav"), 700, TimeSpan.FromSeconds(1)), loop: true);
        var answered = await botCall.Task.WaitAsync(Eventually.Generous);
        await answered.MediaConnected.WaitAsync(Eventually.Generous);
        await Eventually.True(() => new FileInfo(recording).Length > 44 + 16000, "the recording receives audio");

        await call.HangupAsync();
        await answered.Ended.WaitAsync(Eventually.Generous);
        await answered.MediaReleased.WaitAsync(Eventually.Generous);

        Assert.True(Wav.ToneFrames(recording, 700) >= 30, "the recording holds the caller's tone"); // Wav.Read checks the patched sizes
    }

    [Fact]
    public async Task Calls_whose_media_is_released_are_not_kept_by_either_user_agent()
    {
        await using var bot = await PerCallAgent.StartAsync(_server.WebSocketUri, _server.Domain, "bot");
        await using var caller = await PerCallAgent.StartAsync(_server.WebSocketUri, _server.Domain, "caller");
        bot.IncomingCall += async (_, e) => await e.Call.AnswerAsync();

        var answeredEnds = new List<WeakReference>();
        var callerEnds = new List<WeakReference>();
        for (var i = 0; i < 3; i++)
        {
            var (call, answered) = await CallAndHangUpAsync(caller, bot);
            callerEnds.Add(call);
            answeredEnds.Add(answered);
        }

        // RFC 6026 keeps each accepted INVITE transaction for 64·T1 = 32 s to absorb retransmitted 2xx.
        // The answering side's transactions no longer refer to their sessions, so the bot's calls go at
        // once — a bot answering 100 calls/s would otherwise hold ~3,200 ended calls.
        await CollectedAsync(answeredEnds, Eventually.Generous);
        Assert.True(answeredEnds.All(r => !r.IsAlive), $"{answeredEnds.Count(r => r.IsAlive)} of the bot's {answeredEnds.Count} ended calls are still held");
        // The caller's INVITE transaction still reads late 2xx (forks, retransmissions) through its session for those 32 s.
        await CollectedAsync(callerEnds, TimeSpan.FromSeconds(32) + Eventually.Generous);
        Assert.True(callerEnds.All(r => !r.IsAlive), $"{callerEnds.Count(r => r.IsAlive)} of the caller's {callerEnds.Count} ended calls are still held");
        Assert.Empty(caller.Calls);
        Assert.Empty(bot.Calls);
    }

    /// <summary>Collects until every reference is dead or <paramref name="within"/> passed.</summary>
    private static async Task CollectedAsync(List<WeakReference> ends, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (ends.Any(r => r.IsAlive) && DateTime.UtcNow < deadline)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            await Task.Delay(500);
        }
    }

    /// <summary>One call, answered, media connected, hung up and released on both sides; weak references to both ends.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private async Task<(WeakReference Call, WeakReference Answered)> CallAndHangUpAsync(UserAgent caller, UserAgent bot)
    {
        var call = await caller.CallAsync($"sip:bot@{_server.Domain}");
        await call.MediaConnected.WaitAsync(Eventually.Generous);
        await Eventually.True(() => bot.Calls.Count == 1, "the bot has the call");
        var answered = bot.Calls.Single();
        await call.HangupAsync();
        await Task.WhenAll(call.MediaReleased, answered.MediaReleased).WaitAsync(Eventually.Generous);
        return (new WeakReference(call), new WeakReference(answered));
    }
}
