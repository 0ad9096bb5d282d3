using System.Diagnostics;
using Dialtone.Phone;
using Dialtone.Phone.Tests.Calls;
using Dialtone.Server;

namespace Dialtone.Bots.Tests;

/// <summary>
/// The sample bot (samples/Bot, built with these tests) run as its own process against the embedded
/// server, called by a Phone user agent: it answers, plays its prompt (recorded by the caller), collects
/// the caller's DTMF digits, records the caller's voice to its folder and hangs up.
/// </summary>
public sealed class SampleBotTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = Eventually.Generous;
    private readonly string _folder = Directory.CreateTempSubdirectory("dialtone-bot-sample-").FullName;
    private EmbeddedSipServer _server = null!;

    public async Task InitializeAsync() => _server = await EmbeddedSipServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task The_sample_bot_answers_plays_its_prompt_collects_digits_records_the_caller_and_hangs_up()
    {
        var prompt = Wav.WriteTone(Path.Combine(_folder, "prompt.wav"), 440, TimeSpan.FromSeconds(1));
        var recordings = Directory.CreateDirectory(Path.Combine(_folder, "recordings")).FullName;
        using var bot = BotProcess.Start(BotProcess.SampleAssembly(),
            "--server", _server.WebSocketUri.ToString(), "--user", $"sip:bot@{_server.Domain}",
            "--prompt", prompt, "--record", recordings, "--calls", "1");
        try
        {
            await bot.WaitForLineAsync("registered as", Generous);
            await using var caller = await PerCallAgent.StartAsync(_server.WebSocketUri, _server.Domain, "caller");
            var call = await caller.CallAsync($"sip:bot@{_server.Domain}");
            var heard = call.Audio.Record(Path.Combine(_folder, "caller-heard.wav"));
            await call.Established.WaitAsync(Generous);
            await call.MediaConnected.WaitAsync(Generous);
            call.Audio.PlayWav(Wav.WriteTone(Path.Combine(_folder, "voice.wav"), 900, TimeSpan.FromSeconds(1)), loop: true);

            await bot.WaitForLineAsync("prompt played", Generous);
            await call.SendDtmfAsync("2580#", TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(70));
            var end = await call.Ended.WaitAsync(Generous);
            Assert.Equal(CallEndReason.RemoteHangup, end.Reason);
            heard.Dispose();

            Assert.True(await bot.ExitedAsync(Generous), "the bot did not quit after its one call");
            Assert.Equal(0, bot.ExitCode);
            Assert.Contains(bot.Lines, l => l.EndsWith(": digits 2580", StringComparison.Ordinal));
            Assert.True(Wav.ToneFrames(heard.WavOutputPath!, 440) >= 50, "the caller did not record the bot's prompt");
            var recording = Assert.Single(Directory.GetFiles(recordings, "*.wav"));
            Assert.True(Wav.ToneFrames(recording, 900) >= 30, "the bot's recording does not hold the caller's voice");
        }
        catch (Exception e)
        {
            bot.Kill();
            throw new Xunit.Sdk.XunitException($"{e.Message}\nthe sample bot's output:\n{string.Join('\n', bot.Lines)}", e);
        }
    }
}

/// <summary>A process whose output lines are collected and awaited.</summary>
internal sealed class BotProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    private BotProcess(Process process) => _process = process;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
                return [.. _lines];
        }
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>samples/Bot's output in the configuration these tests were built in (the project reference builds it).</summary>
    public static string SampleAssembly()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = dir.Parent!.Name; // bin/<Configuration>/net10.0/
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Interop.sln")))
            dir = dir.Parent;
        Assert.NotNull(dir);
        var path = Path.Combine(dir.FullName, "samples", "Bot", "bin", configuration, "net10.0", "dialtone-bot.dll");
        Assert.True(File.Exists(path), $"{path} is missing: build samples/Bot (the test project builds it)");
        return path;
    }

    public static BotProcess Start(string assembly, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(assembly);
        foreach (var a in args)
            info.ArgumentList.Add(a);
        var process = new Process { StartInfo = info };
        var bot = new BotProcess(process);
        process.OutputDataReceived += (_, e) => bot.Add(e.Data);
        process.ErrorDataReceived += (_, e) => bot.Add(e.Data is null ? null : "stderr: " + e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return bot;
    }

    private void Add(string? line)
    {
        if (line is null)
            return;
        lock (_lines)
            _lines.Add(line);
    }

    public async Task WaitForLineAsync(string text, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!Lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
                throw new TimeoutException($"the bot never printed '{text}'");
            await Task.Delay(50);
        }
    }

    public async Task<bool> ExitedAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Kill()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
