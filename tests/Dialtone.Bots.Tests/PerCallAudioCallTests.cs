using System.Collections.Concurrent;
using Dialtone.Phone;
using Dialtone.Phone.Tests.Calls;
using Dialtone.Server;
using Dialtone.WebRtc;

namespace Dialtone.Bots.Tests;

/// <summary>
/// Two calls at once between two user agents in per-call mode (no device), through the embedded server:
/// each call's own source reaches only its own peer, both ways — a WAV prompt played into one call
/// is recorded by the other end of that call and not of the other one; PCM pushed into one call is
/// read from that call's sink only. The bot runs libwebrtc on one thread (EngineThreads = 1, the
/// many-calls choice), the caller on the default three: both engines in every call.
/// </summary>
public sealed class PerCallAudioCallTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = Eventually.Generous;
    private readonly string _folder = Directory.CreateTempSubdirectory("dialtone-bots-").FullName;
    private EmbeddedSipServer _server = null!;
    private UserAgent _caller = null!;
    private UserAgent _bot = null!;

    public async Task InitializeAsync()
    {
        _server = await EmbeddedSipServer.StartAsync();
        _caller = await PerCallAgent.StartAsync(_server.WebSocketUri, _server.Domain, "caller");
        _bot = await PerCallAgent.StartAsync(_server.WebSocketUri, _server.Domain, "bot", engineThreads: 1);
    }

    public async Task DisposeAsync()
    {
        await _caller.DisposeAsync();
        await _bot.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Two_concurrent_calls_each_hear_only_their_own_peer_both_ways_and_record_the_prompt_played_to_them()
    {
        // The bot plays a different prompt into each call (by arrival) and reads what each caller says.
        double[] prompts = [500, 1700];
        double[] voices = [800, 1200];
        var promptFiles = prompts.Select(hz => Wav.WriteTone(Path.Combine(_folder, $"prompt-{hz}.wav"), hz, TimeSpan.FromSeconds(1))).ToArray();
        var botCalls = new ConcurrentDictionary<string, (Call Call, int Index)>();
        var arrived = 0;
        _bot.IncomingCall += async (_, e) =>
        {
            var index = Interlocked.Increment(ref arrived) - 1;
            botCalls[e.Call.CallId] = (e.Call, index);
            await e.Call.AnswerAsync();
            e.Call.Audio.PlayWav(promptFiles[index], loop: true);
        };

        var calls = new[] { await _caller.CallAsync($"sip:bot@{_server.Domain}"), await _caller.CallAsync($"sip:bot@{_server.Domain}") };
        // Before the answer: the caller's per-call sinks exist as soon as the call does.
        var recordings = calls.Select((c, i) => c.Audio.Record(Path.Combine(_folder, $"caller-{i}.wav"))).ToArray();
        await Task.WhenAll(calls.Select(c => c.Established)).WaitAsync(Generous);
        await Task.WhenAll(calls.Select(c => c.MediaConnected)).WaitAsync(Generous);
        await Eventually.True(() => botCalls.Count == 2, "the bot has both calls");
        Assert.All(calls, c => Assert.True(c.Audio.HasOwnSource));

        // Each caller's call pushes its own voice from a 10 ms loop, kept ~100 ms ahead as an application should.
        using var stop = new CancellationTokenSource();
        var voicing = Task.WhenAll(calls.Select((c, i) => PushToneAsync(c, voices[i], stop.Token)));
        try
        {
            foreach (var (call, index) in botCalls.Values)
            {
                var callerIndex = Array.FindIndex(calls, c => c.CallId == call.CallId);
                using var sink = call.Audio.CreateSink(new CallAudioSinkOptions { SampleRate = 16000 });
                var listener = new ToneListener(sink, voices);
                Assert.True(await listener.HearAsync(voices[callerIndex], frames: 50, Generous), $"bot call {index} did not hear its caller's {voices[callerIndex]} Hz");
                var other = voices[1 - callerIndex];
                Assert.True(listener.ToneFrames(other) <= listener.Frames / 50,
                    $"bot call {index} heard the other call's {other} Hz in {listener.ToneFrames(other)} of {listener.Frames} frames");
            }
            // Let the prompts run long enough to be recorded (wait for it, bounded).
            await Eventually.True(() => calls.All(c => (c.Audio.Source.GetStatistics().FramesSent) > 150), "calls ran 1.5 s");
            await Task.Delay(1500);
        }
        finally
        {
            await stop.CancelAsync();
            await voicing;
        }

        foreach (var recording in recordings)
            recording.Dispose(); // completes the files
        for (var i = 0; i < calls.Length; i++)
        {
            var heardIndex = botCalls[calls[i].CallId].Index;
            var own = Wav.ToneFrames(recordings[i].WavOutputPath!, prompts[heardIndex]);
            var other = Wav.ToneFrames(recordings[i].WavOutputPath!, prompts[1 - heardIndex]);
            Assert.True(own >= 50, $"caller call {i} recorded {own} frames of its prompt {prompts[heardIndex]} Hz");
            Assert.True(other <= own / 50, $"caller call {i} recorded the other call's prompt in {other} frames (own {own})");
        }

        await Task.WhenAll(calls.Select(c => c.HangupAsync()));
        await Task.WhenAll(botCalls.Values.Select(b => b.Call.Ended)).WaitAsync(Generous);
    }

    private static async Task PushToneAsync(Call call, double hz, CancellationToken cancellationToken)
    {
        var source = call.Audio.Source;
        var generator = new Phone.Audio.ToneGenerator(hz, source.SampleRate);
        var frame = new short[source.SamplesPer10Ms];
        var pushed = TimeSpan.Zero;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                while (pushed < clock.Elapsed + TimeSpan.FromMilliseconds(100))
                {
                    generator.Fill(frame);
                    source.Push(frame);
                    pushed += TimeSpan.FromMilliseconds(10);
                }
                await Task.Delay(10, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
