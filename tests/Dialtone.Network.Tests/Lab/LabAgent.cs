using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Dialtone.Network.Tests.Lab;

/// <summary>
/// A Dialtone.Network.Agent process inside a home namespace (<c>ip netns exec nl-hN dotnet …</c>, prefix <see cref="Prefix"/>):
/// its stdout is JSON lines (registered, established, result, gathered, error); stderr is kept for failures.
/// </summary>
public sealed class LabAgent : IDisposable
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
        foreach (var a in (string[])["netns", "exec", $"{Prefix}-h{home}", "dotnet", Path.Combine(AppContext.BaseDirectory, "Dialtone.Network.Agent.dll"), .. args])
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
            return string.Join('\n', _log.ToString().Split('\n').TakeLast(30));
    }

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
    }
}
