using System.Buffers.Binary;
using Dialtone.Phone;
using Dialtone.Phone.Audio;
using Dialtone.Server;
using Dialtone.Sip.Message;
using Dialtone.WebRtc;

namespace Dialtone.Cli.Tests.Commands;

/// <summary>
/// <c>dialtone listen --max-calls N</c> against the embedded server: N calls at once, each hearing the
/// --play file and each recorded to its own file in the --record folder holding that caller's voice
/// alone; call N+1 answered 486; bad combinations refused before anything connects.
/// </summary>
public sealed class ListenMaxCallsTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);
    private readonly string _folder = Directory.CreateTempSubdirectory("dialtone-listen-many-").FullName;
    private EmbeddedSipServer _server = null!;

    public async Task InitializeAsync() => _server = await EmbeddedSipServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private string[] Connection(string user) => ["-s", _server.WebSocketUri.ToString(), "-u", $"sip:{user}@{_server.Domain}"];

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // --lean: wideband Opus and shared media threads; the caller keeps fullband
    public async Task Answers_up_to_max_calls_at_once_each_with_its_own_audio_and_recording_then_486(bool lean)
    {
        const double played = 1600;
        double[] voices = [700, 1100];
        var play = WriteTone(Path.Combine(_folder, "welcome.wav"), played);
        var recordings = Directory.CreateDirectory(Path.Combine(_folder, "recordings")).FullName;
        using var stop = new CancellationTokenSource();
        string[] leanFlag = lean ? ["--lean"] : [];
        var listening = new CliRun.Running(["listen", "--max-calls", "2", .. leanFlag, "--play", play, "--record", recordings, .. Connection("alice")], stop.Token);
        await WaitUntil(() => listening.Output.Contains("answering up to 2 calls") || listening.Completion.IsCompleted);
        Assert.False(listening.Completion.IsCompleted, listening.Output);
        Assert.Equal(lean, listening.Output.Contains("lean engine (Opus at 16 kHz"));

        await using var bob = await UserAgent.StartAsync(new UserAgentOptions
        {
            Server = _server.WebSocketUri.ToString(),
            AddressOfRecord = SipUri.Parse($"sip:bob@{_server.Domain}"),
            Audio = new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.PerCall },
        });
        var calls = new[] { await bob.CallAsync($"sip:alice@{_server.Domain}"), await bob.CallAsync($"sip:alice@{_server.Domain}") };
        var heard = calls.Select(c => c.Audio.CreateSink(new CallAudioSinkOptions { SampleRate = 16000 })).ToArray();
        await Task.WhenAll(calls.Select(c => c.Established)).WaitAsync(Generous);
        for (var i = 0; i < calls.Length; i++)
            calls[i].Audio.PlayWav(WriteTone(Path.Combine(_folder, $"voice-{i}.wav"), voices[i]), loop: true);

        // A third call while two are up: busy.
        var third = await bob.CallAsync($"sip:alice@{_server.Domain}");
        var busy = await third.Ended.WaitAsync(Generous);
        Assert.Equal(486, busy.StatusCode);

        // Each caller hears the --play file.
        for (var i = 0; i < calls.Length; i++)
            Assert.True(await HearsAsync(heard[i], played, frames: 50), $"call {i} did not hear the --play file");
        await calls[0].SendDtmfAsync("4", TimeSpan.FromMilliseconds(100));
        await WaitUntil(() => listening.Output.Contains("DTMF 4 (RFC 4733)"));
        await Task.Delay(1000); // a second more of each caller's voice in its recording
        await Task.WhenAll(calls.Select(c => c.HangupAsync()));
        await WaitUntil(() => CountOf(listening.Output, ": ended:") == 2);
        await stop.CancelAsync();
        var code = await listening.Completion.WaitAsync(Generous);
        var output = listening.Output;

        Assert.True(code == 0, output);
        Assert.Contains("486 Busy Here", output);
        Assert.Contains("DTMF 4 (RFC 4733)", output);
        var files = Directory.GetFiles(recordings, "*.wav").Order().ToArray();
        Assert.True(files.Length == 2, output);
        // Each recording holds one caller's voice, not the other's (which file is which: by content).
        var counts = files.Select(f => voices.Select(v => ToneFrames(f, v)).ToArray()).ToArray();
        foreach (var c in counts)
        {
            var own = c.Max();
            Assert.True(own >= 50, $"a recording holds too little of its caller: {string.Join(", ", c)} frames of {string.Join("/", voices)} Hz");
            Assert.True(c.Min() <= own / 50, $"a recording holds both callers: {string.Join(", ", c)} frames");
        }
        Assert.NotEqual(Array.IndexOf(counts[0], counts[0].Max()), Array.IndexOf(counts[1], counts[1].Max()));
    }

    [Theory]
    [InlineData("0", null, "--max-calls takes 1 to")]
    [InlineData("2", "file", "takes a folder")]
    [InlineData("2", "missing", "does not exist")]
    [InlineData("2", "microphone", "drop --microphone")]
    [InlineData(null, "lean", "use it with --max-calls")]
    public async Task Refuses_bad_options_before_connecting(string? maxCalls, string? problem, string message)
    {
        var file = Path.Combine(_folder, "not-a-folder.wav");
        await File.WriteAllTextAsync(file, "x");
        string[] extra = problem switch
        {
            "file" => ["--record", file],
            "missing" => ["--record", Path.Combine(_folder, "no-such-folder")],
            "microphone" => ["--microphone", "headset"],
            "lean" => ["--lean", "--auto-answer"],
            _ => [],
        };
        string[] max = maxCalls is null ? [] : ["--max-calls", maxCalls];
        var (code, output) = await CliRun.RunAsync(["listen", .. max, .. extra, .. Connection("alice")]);
        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Contains(message, output);
        Assert.Empty(_server.Registrations);
    }

    [Fact]
    public async Task Help_describes_max_calls()
    {
        var (code, output) = await CliRun.RunAsync(["listen", "--help"]);
        Assert.Equal(0, code);
        Assert.Contains("--max-calls", output);
        Assert.Contains("486", output);
        Assert.Contains("--lean", output);
    }

    private static async Task<bool> HearsAsync(CallAudioSink sink, double hz, int frames)
    {
        var meter = new ToneMeter(hz, sink.SampleRate);
        var frame = new short[sink.SampleRate / 100];
        var deadline = DateTime.UtcNow + Generous;
        while (DateTime.UtcNow < deadline && meter.ToneFrames < frames)
        {
            while (sink.Read(frame) == frame.Length)
                meter.Process(frame);
            await Task.Delay(20);
        }
        return meter.ToneFrames >= frames;
    }

    private static string WriteTone(string path, double hz, int rate = 16000)
    {
        var samples = new short[rate];
        new ToneGenerator(hz, rate).Fill(samples);
        var bytes = new byte[44 + samples.Length * 2];
        "RIFF"u8.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), bytes.Length - 8);
        "WAVEfmt "u8.CopyTo(bytes.AsSpan(8));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), 16);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(20), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(22), 1);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(24), rate);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(28), rate * 2);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(32), 2);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(34), 16);
        "data"u8.CopyTo(bytes.AsSpan(36));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(40), samples.Length * 2);
        for (var i = 0; i < samples.Length; i++)
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(44 + 2 * i), samples[i]);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static int ToneFrames(string path, double hz)
    {
        var bytes = File.ReadAllBytes(path);
        var rate = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(24));
        var samples = new short[(bytes.Length - 44) / 2];
        for (var i = 0; i < samples.Length; i++)
            samples[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(44 + 2 * i));
        var meter = new ToneMeter(hz, rate);
        for (var at = 0; at + rate / 100 <= samples.Length; at += rate / 100)
            meter.Process(samples.AsSpan(at, rate / 100));
        return (int)meter.ToneFrames;
    }

    private static int CountOf(string text, string part) => text.Split(part).Length - 1;

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (!condition() && DateTime.UtcNow < deadline)
            await Task.Delay(50);
    }
}
