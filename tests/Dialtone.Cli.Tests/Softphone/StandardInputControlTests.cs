using System.Threading.Channels;
using Dialtone.Cli.Audio;
using Dialtone.Cli.Tests.Commands;
using Dialtone.Phone;
using Dialtone.Phone.Audio;
using Dialtone.Server;

namespace Dialtone.Cli.Tests.Softphone;

/// <summary>Without a terminal, lines on standard input drive the call: the same controls as the keys.</summary>
public sealed class StandardInputControlTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private readonly string _folder = Directory.CreateTempSubdirectory("dialtone-cli-stdin-").FullName;
    private EmbeddedSipServer _server = null!;

    public async Task InitializeAsync() => _server = await EmbeddedSipServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Lines_mute_hold_send_digits_and_hang_up()
    {
        await using var bob = await Answerer.StartAsync(_server.WebSocketUri, _server.Domain, "bob", call => call.AnswerAsync());
        var voice = Path.Combine(_folder, "voice.wav");
        var samples = new short[48000 * 60];
        new ToneGenerator(Answerer.ListenHz, 48000).Fill(samples);
        using (var recorder = new WavRecorder(voice, 48000, 1))
            recorder.Write(samples);
        var input = new LineInput();
        var output = new StringWriter();
        var writer = TextWriter.Synchronized(output);
        var running = Task.Run(() => DialtoneCli.RunAsync(
            ["call", $"sip:bob@{_server.Domain}", "--server", _server.WebSocketUri.ToString(), "--user", $"sip:alice@{_server.Domain}", "--play", voice],
            CliHost.ForText(writer, input: input)));
        var call = await bob.Incoming.Task.WaitAsync(Generous);
        await call.Established.WaitAsync(Generous);
        Assert.True(await SoundCheck.HeardWithinAsync(bob.Hears, TimeSpan.FromMilliseconds(500), Generous), "bob did not hear the played file");

        var before = SoundCheck.MedianToneLevel(bob.LastHeard(1), Answerer.ListenHz);
        input.Send("mute");
        await Task.Delay(2000);
        var muted = SoundCheck.MedianToneLevel(bob.LastHeard(1), Answerer.ListenHz);
        Assert.True(before > 300 && muted < before / 10, $"tone level at bob {before:F0} before, {muted:F0} muted");
        input.Send("unmute");

        input.Send("hold");
        await WaitUntilAsync(() => call.State == CallState.OnHold);
        input.Send("resume");
        await WaitUntilAsync(() => call.State == CallState.Established);

        input.Send("no such thing");
        input.Send("dtmf 42");
        input.Send("dtmf *");
        await WaitUntilAsync(() => bob.DigitsHeard.Length >= 3);
        Assert.Equal("42*", bob.DigitsHeard);

        input.Send("hangup");
        var code = await running.WaitAsync(Generous);
        var text = output.ToString();
        Assert.True(code == 0, text);
        Assert.Equal(CallEndReason.RemoteHangup, (await call.Ended.WaitAsync(Generous)).Reason);
        Assert.Contains("microphone muted", text);
        Assert.Contains("not a command: 'no such thing'", text);
        Assert.Contains("sent DTMF 42", text);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (!condition() && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.True(condition(), "timed out");
    }

    /// <summary>Standard input that the test writes lines to, one at a time, as a script would.</summary>
    private sealed class LineInput : TextReader
    {
        private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();

        public void Send(string line) => _lines.Writer.TryWrite(line);

        public override async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            try
            {
                return await _lines.Reader.ReadAsync(cancellationToken);
            }
            catch (ChannelClosedException)
            {
                return null;
            }
        }
    }
}
