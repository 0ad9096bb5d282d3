using System.Diagnostics;

namespace Dialtone.Cli.Tests.Terminal;

/// <summary>
/// A real terminal for the CLI: a tmux session on a private server socket, running the dialtone
/// executable as a person would, driven with send-keys and read with capture-pane. When the
/// command ends the pane shows "[exit N]" and stays, so the last screen and the code can be read.
/// </summary>
internal sealed class TmuxTerminal : IDisposable
{
    public const int Width = 120;
    public const int Height = 40;
    private readonly string _socket = $"dt-cli-{Environment.ProcessId}-{Guid.NewGuid():N}"[..28];

    public TmuxTerminal(IReadOnlyList<string> dialtoneArguments, IReadOnlyDictionary<string, string> environment)
    {
        var command = new List<string> { "env" };
        command.AddRange(environment.Select(e => $"{e.Key}={e.Value}"));
        command.Add(DotnetHost());
        command.Add(Path.Combine(AppContext.BaseDirectory, "dialtone.dll"));
        command.AddRange(dialtoneArguments);
        // The shell traps Ctrl+C (a handler, not "ignore", which the CLI would inherit) so that it
        // outlives the CLI and prints its exit code.
        var line = "trap : INT; " + string.Join(' ', command.Select(Quote)) + "; echo \"[exit $?]\"; sleep 3600";
        Tmux("-f", "/dev/null", "new-session", "-d", "-s", "dt", "-x", Width.ToString(), "-y", Height.ToString(), "sh", "-c", line);
    }

    /// <summary>Types the text, key by key (as bytes: a leading '-' would read as a tmux flag).</summary>
    public void Type(string text) =>
        Tmux(["send-keys", "-t", "dt", "-H", .. System.Text.Encoding.UTF8.GetBytes(text).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture))]);

    /// <summary>Presses named keys (tmux names: Enter, Escape, C-c).</summary>
    public void Press(params string[] keys) => Tmux(["send-keys", "-t", "dt", .. keys]);

    /// <summary>The screen as text.</summary>
    public string Screen() => Tmux("capture-pane", "-p", "-t", "dt");

    /// <summary>The screen with its colours (ANSI escapes), for the docs' screenshot.</summary>
    public string ScreenWithColours() => Tmux("capture-pane", "-p", "-e", "-t", "dt");

    /// <summary>Waits (bounded) until the screen satisfies <paramref name="condition"/>; fails with the screen otherwise.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var screen = "";
        while (deadline.Elapsed < (timeout ?? TimeSpan.FromSeconds(30)))
        {
            screen = Screen();
            if (condition(screen))
                return screen;
            await Task.Delay(100);
        }
        Assert.Fail($"waited {deadline.Elapsed.TotalSeconds:0} s for {what}; the screen:\n{screen}");
        return screen;
    }

    public Task<string> WaitForAsync(string text, TimeSpan? timeout = null) =>
        WaitForAsync(s => s.Contains(text, StringComparison.Ordinal), $"'{text}'", timeout);

    /// <summary>The exit code once the command has ended.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan? timeout = null)
    {
        var screen = await WaitForAsync(s => s.Contains("[exit ", StringComparison.Ordinal), "the command to end", timeout);
        var at = screen.LastIndexOf("[exit ", StringComparison.Ordinal) + 6;
        return int.Parse(screen[at..screen.IndexOf(']', at)], System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        try
        {
            Tmux("kill-server");
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private string Tmux(params string[] arguments)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(_socket);
        foreach (var a in arguments)
            start.ArgumentList.Add(a);
        start.Environment.Remove("TMUX");
        start.Environment["TERM"] = "xterm-256color";
        using var tmux = Process.Start(start) ?? throw new InvalidOperationException("tmux did not start");
        var output = tmux.StandardOutput.ReadToEndAsync();
        var error = tmux.StandardError.ReadToEnd();
        if (!tmux.WaitForExit(10_000))
            throw new InvalidOperationException("tmux hung");
        if (tmux.ExitCode != 0)
            throw new InvalidOperationException($"tmux {string.Join(' ', arguments.Take(1))} failed: {error}");
        return output.Result;
    }

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (host is { Length: > 0 } && File.Exists(host))
            return host;
        return Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
