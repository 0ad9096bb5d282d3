using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Dialtone.Network.Tests.Lab;

/// <summary>
/// A Dialtone.Network.Agent process inside a home namespace (<c>ip netns exec nl-hN dotnet …</c>, prefix <see cref="Prefix"/>):
/// its stdout is JSON lines (registered, established, result, gathered, error); stderr is kept for failures.
/// </summary>
public sealed partial class LabAgent : IDisposable
{
    private readonly Process _process;
    private readonly List<JsonObject> _events = [];
    private readonly StringBuilder _log = new();
    private readonly SemaphoreSlim _changed = new(0);

    private LabAgent(int home, IEnumerable<string> args)
    {
        Home = home;
        var info = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Every agent keeps a debug log (its SIP messages, flow moves, ICE restarts) unless the test names
        // one: a failure's message ends with the story from it.
        LogFile = args.SkipWhile(a => a != "--log-file").Skip(1).FirstOrDefault()
            ?? Path.Combine(Path.GetTempPath(), $"{Prefix}-agent-h{home}-{Interlocked.Increment(ref s_started)}.log");
        _ownsLogFile = !args.Contains("--log-file");
        string[] logArgs = _ownsLogFile ? ["--log-file", LogFile] : [];
        foreach (var a in (string[])["netns", "exec", $"{Prefix}-h{home}", "dotnet", Path.Combine(AppContext.BaseDirectory, "Dialtone.Network.Agent.dll"), .. args, .. logArgs])
            info.ArgumentList.Add(a);
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                lock (_log)
                    _log.AppendLine(e.Data);
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Home { get; }

    /// <summary>The agent's debug log.</summary>
    public string LogFile { get; }

    private readonly bool _ownsLogFile;
    private static int s_started;

    /// <summary>
    /// The lab's namespace prefix: $NETLAB_PREFIX, else "nl" + this process's id — one lab per test
    /// process, so two test runs on one machine never tear down each other's lab (lab.sh gets it from LabScript).
    /// </summary>
    public static string Prefix { get; } = Environment.GetEnvironmentVariable("NETLAB_PREFIX") is { Length: > 0 } p ? p : $"nl{Environment.ProcessId}";

    public static LabAgent Start(int home, params string[] args) => new(home, args);

    /// <summary>The events named <paramref name="name"/> so far.</summary>
    public IReadOnlyList<JsonObject> EventsNamed(string name)
    {
        lock (_events)
            return _events.Where(e => (string?)e["event"] == name).ToList();
    }

    /// <summary>Waits for the first event named <paramref name="name"/>; an "error" event or exit fails at once.</summary>
    public async Task<JsonObject> WaitForAsync(string name, TimeSpan within) => (await WaitForAllAsync(name, 1, within))[0];

    /// <summary>Waits for <paramref name="count"/> events named <paramref name="name"/> (an agent making several calls).</summary>
    public async Task<IReadOnlyList<JsonObject>> WaitForAllAsync(string name, int count, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var exitedAt = DateTime.MaxValue;
        while (true)
        {
            lock (_events)
            {
                var found = _events.Where(e => (string?)e["event"] == name).ToList();
                if (found.Count >= count)
                    return found.Take(count).ToList();
                if (_events.FirstOrDefault(e => (string?)e["event"] == "error") is { } error)
                    throw new InvalidOperationException($"agent in {Prefix}-h{Home} failed: {error["message"]}\n{Tail()}");
            }
            if (_process.HasExited)
            {
                // Give the last lines a moment to arrive, then give up.
                if (exitedAt == DateTime.MaxValue)
                    exitedAt = DateTime.UtcNow;
                else if (DateTime.UtcNow - exitedAt > TimeSpan.FromMilliseconds(500))
                    throw new InvalidOperationException($"agent in {Prefix}-h{Home} exited ({_process.ExitCode}) before {count} '{name}':\n{Tail()}");
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"agent in {Prefix}-h{Home}: fewer than {count} '{name}' within {within.TotalSeconds} s:\n{Tail()}");
            await _changed.WaitAsync(left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
        }
    }

    private void OnLine(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
            return;
        try
        {
            if (JsonNode.Parse(line) is JsonObject obj)
            {
                lock (_events)
                    _events.Add(obj);
                _changed.Release();
                return;
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }
        lock (_log)
            _log.AppendLine(line);
    }

    private string Tail()
    {
        lock (_log)
            return string.Join('\n', _log.ToString().Split('\n').TakeLast(30)) + "\n" + Story();
    }

    /// <summary>
    /// The last <paramref name="entries"/> entries of the agent's debug log, each by its first two lines:
    /// "SIP send to …" then the request or status line. What it sent and received, and what it decided.
    /// </summary>
    public string Story(int entries = 40)
    {
        string[] lines;
        try
        {
            using var reader = new StreamReader(new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            lines = reader.ReadToEnd().Split('\n');
        }
        catch (IOException e)
        {
            return $"(no debug log of the agent in {Prefix}-h{Home}: {e.Message})";
        }
        var story = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!FileLogEntry().IsMatch(lines[i]))
                continue;
            var entry = lines[i].TrimEnd();
            if (entry.EndsWith(':') && i + 1 < lines.Length && !FileLogEntry().IsMatch(lines[i + 1]))
                entry += "\n           " + lines[i + 1].TrimEnd();
            story.Add(entry);
        }
        return $"debug log of the agent in {Prefix}-h{Home} (last {entries} of {story.Count} entries):\n" + string.Join('\n', story.TakeLast(entries));
    }

    /// <summary>An entry of the agent's log: milliseconds since start, the level, the category.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*\d+ (Trace|Debug|Information|Warning|Error|Critical)\s")]
    private static partial System.Text.RegularExpressions.Regex FileLogEntry();

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        if (_ownsLogFile)
            File.Delete(LogFile);
    }
}
