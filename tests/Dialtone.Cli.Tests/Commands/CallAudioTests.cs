using System.Buffers.Binary;
using Dialtone.Cli.Audio;
using Dialtone.Phone.Audio;
using Dialtone.Server;
using Dialtone.WebRtc.Tests.Infrastructure;

namespace Dialtone.Cli.Tests.Commands;

/// <summary><c>call --play</c> and <c>--record</c> with real media: the tone in the file reaches the callee, the callee's tone lands in the recording.</summary>
public sealed class CallAudioTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);
    private readonly string _folder = Directory.CreateTempSubdirectory("dialtone-cli-audio-").FullName;
    private EmbeddedSipServer _server = null!;
    private Answerer _bob = null!;

    public async Task InitializeAsync()
    {
        _server = await EmbeddedSipServer.StartAsync();
        _bob = await Answerer.StartAsync(_server.WebSocketUri, _server.Domain, "bob", call => call.AnswerAsync());
    }

    public async Task DisposeAsync()
    {
        await _bob.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private string[] Call(params string[] extra) =>
        ["call", $"sip:bob@{_server.Domain}", "--server", _server.WebSocketUri.ToString(), "--user", $"sip:alice@{_server.Domain}", "--no-view", .. extra];

    [Fact]
    public async Task Record_alone_writes_what_the_callee_said()
    {
        var path = Path.Combine(_folder, "heard.wav");

        var (code, output) = await CliRun.RunAsync(Call("--no-audio", "--record", path, "--duration", "3s"));

        Assert.True(code == 0, output);
        AssertHoldsBobsTone(path);
    }

    [Fact]
    public async Task Record_with_the_sound_devices_writes_what_the_callee_said()
    {
        using var sound = new PulseAudioServer();
        var path = Path.Combine(_folder, "heard-on-devices.wav");

        var (code, output) = await CliRun.RunAsync(Call("--record", path, "--duration", "3s"), name => name == "PULSE_SERVER" ? sound.Server : null);

        Assert.True(code == 0, output);
        AssertHoldsBobsTone(path);
    }

    private static void AssertHoldsBobsTone(string path)
    {
        var (rate, samples) = ReadMonoWav(path);
        Assert.Equal(48000, rate);
        var meter = new ToneMeter(Answerer.SayHz, rate);
        for (var at = 0; at + rate / 100 <= samples.Length; at += rate / 100)
            meter.Process(samples.AsSpan(at, rate / 100));
        Assert.True(meter.Heard(TimeSpan.FromSeconds(1)), $"the recording holds {meter.ToneFrames * 10} ms of bob's tone in {meter.Frames * 10} ms");
    }

    [Fact]
    public async Task Play_sends_the_file_as_our_voice()
    {
        var path = Path.Combine(_folder, "say.wav");
        WriteToneWav(path, Answerer.ListenHz, seconds: 6);

        var (code, output) = await CliRun.RunAsync(Call("--play", path, "--duration", "3s"));

        Assert.True(code == 0, output);
        Assert.True(_bob.Hears.Heard(TimeSpan.FromMilliseconds(500)), $"bob heard {_bob.Hears.ToneFrames * 10} ms of the played tone");
    }

    [Fact]
    public async Task A_file_the_engine_cannot_play_is_refused_with_a_conversion_hint()
    {
        var path = Path.Combine(_folder, "odd.wav");
        WriteToneWav(path, 440, seconds: 1, sampleRate: 22050);

        var (code, output) = await CliRun.RunAsync(Call("--play", path));

        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Contains("22050 Hz", output);
        Assert.Contains("sox", output);
    }

    private static void WriteToneWav(string path, double hz, int seconds, int sampleRate = 48000)
    {
        var samples = new short[sampleRate * seconds];
        new ToneGenerator(hz, sampleRate).Fill(samples);
        using var recorder = new WavRecorder(path, sampleRate, 1);
        recorder.Write(samples);
    }

    private static (int Rate, short[] Samples) ReadMonoWav(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length >= 44, "no WAV header");
        var format = WavFormat.Read(path);
        Assert.Equal((1, 16), (format.Channels, format.BitsPerSample));
        var dataBytes = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(40));
        Assert.Equal(bytes.Length - 44, dataBytes); // the header was finished when the recording closed
        var samples = new short[dataBytes / 2];
        for (var i = 0; i < samples.Length; i++)
            samples[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(44 + 2 * i));
        return (format.SampleRate, samples);
    }
}
