using Dialtone.Phone;
using Dialtone.Phone.Tests.Calls;
using Dialtone.Server;

namespace Dialtone.Bots.Tests;

/// <summary>
/// Call.MediaReleased: a bot that records a call and never disposes the recording itself can read a
/// complete WAV file (sizes patched) as soon as the call's media is released, after the peer hung up.
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
}
