using Dialtone.Sip.Transport;

namespace Dialtone.Sip.IntegrationTests.Infrastructure;

/// <summary>
/// One sipp run with a scenario from tests/infra/sipp, on 127.0.0.1, in its own temp folder
/// (where -trace_msg / -trace_err logs go).
/// </summary>
internal sealed class Sipp : IDisposable
{
    private readonly ChildProcess _process;

    private Sipp(string scenario, SipTransportKind kind, string? remote, int calls, IEnumerable<string> extra)
    {
        WorkDir = Directory.CreateTempSubdirectory("dialtone-sipp-").FullName;
        Port = FreePorts.Next();
        var args = new List<string>();
        if (remote is not null)
            args.Add(remote);
        args.AddRange(
        [
            "-sf", RepoPaths.Infra("sipp", scenario),
            "-i", "127.0.0.1", "-p", Port.ToString(),
            "-t", kind == SipTransportKind.Udp ? "u1" : "t1",
            "-m", calls.ToString(), "-timeout", "30s", "-timeout_error", "-nostdin",
            "-trace_msg", "-trace_err",
        ]);
        args.AddRange(extra);
        _process = new ChildProcess("sipp", args, WorkDir);
    }

    public string WorkDir { get; }

    /// <summary>sipp's own SIP port.</summary>
    public int Port { get; }

    public static async Task<Sipp> StartServerAsync(string scenario, SipTransportKind kind, int calls = 1, params string[] extra)
    {
        var sipp = new Sipp(scenario, kind, remote: null, calls, extra);
        await sipp.WaitListeningAsync(kind);
        return sipp;
    }

    public static Sipp StartClient(string scenario, SipTransportKind kind, int remotePort, int calls = 1, params string[] extra) =>
        new(scenario, kind, $"127.0.0.1:{remotePort}", calls, extra);

    private async Task WaitListeningAsync(SipTransportKind kind)
    {
        // sipp binds before reading its scenario's first message; poll until the port is taken.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"sipp exited with {_process.ExitCode}:\n{Diagnostics()}");
            if (IsBound(kind))
                return;
            await Task.Delay(50);
        }
        throw new TimeoutException("sipp did not bind its port:\n" + Diagnostics());
    }

    private bool IsBound(SipTransportKind kind)
    {
        if (kind == SipTransportKind.Udp)
        {
            // Probing by binding the port ourselves could steal it from sipp; read the kernel's
            // socket table instead (local_address is "HEXIP:HEXPORT").
            var hexPort = ":" + Port.ToString("X4");
            return new[] { "/proc/net/udp", "/proc/net/udp6" }
                .Where(File.Exists)
                .SelectMany(File.ReadLines)
                .Skip(1)
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Any(fields => fields.Length > 1 && fields[1].EndsWith(hexPort, StringComparison.Ordinal));
        }
        try
        {
            using var tcp = new System.Net.Sockets.TcpClient();
            tcp.Connect(System.Net.IPAddress.Loopback, Port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>Waits for sipp to finish and asserts that every call of the scenario succeeded.</summary>
    public async Task AssertSucceededAsync()
    {
        var exit = await _process.WaitForExitAsync(TimeSpan.FromSeconds(40));
        Assert.True(exit == 0, $"sipp exited with {exit}:\n{Diagnostics()}");
    }

    /// <summary>Awaits <paramref name="task"/>; if it fails, the failure carries sipp's message log.</summary>
    public async Task<T> ExplainFailure<T>(Task<T> task)
    {
        try
        {
            return await task;
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{ex.GetType().Name}: {ex.Message}\n--- sipp messages ---\n{MessageLog}", ex);
        }
    }

    /// <summary>The -trace_msg log: every message sipp sent and received.</summary>
    public string MessageLog =>
        string.Join("\n", Directory.GetFiles(WorkDir, "*_messages.log").Select(File.ReadAllText));

    private string Diagnostics() =>
        _process.Tail(30) + "\n--- errors ---\n" +
        string.Join("\n", Directory.GetFiles(WorkDir, "*_errors.log").Select(File.ReadAllText));

    public void Dispose()
    {
        _process.Dispose();
        try
        {
            Directory.Delete(WorkDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
