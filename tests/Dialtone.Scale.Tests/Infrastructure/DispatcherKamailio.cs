using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Dialtone.Sip.IntegrationTests.Infrastructure;

namespace Dialtone.Scale.Tests.Infrastructure;

/// <summary>
/// A real Kamailio on 127.0.0.1 with the dispatcher reference config
/// (tests/infra/kamailio/dispatcher.cfg.template): call-load dispatching to the given nodes, OPTIONS
/// probing every <see cref="PingInterval"/>, failover. Its log lines DISPATCH/FAILOVER/NODE DOWN/NODE UP
/// say what it decided.
/// </summary>
internal sealed class DispatcherKamailio : IAsyncDisposable
{
    public const string Domain = "dialtone.test";
    public const string CallerPassword = "alice-secret";

    private readonly string _workDir;
    private ChildProcess? _process;

    private DispatcherKamailio(string workDir, int sipPort)
    {
        _workDir = workDir;
        SipPort = sipPort;
    }

    public int SipPort { get; }

    /// <summary>Where callers and nodes send SIP (UDP).</summary>
    public string Server => $"sip:127.0.0.1:{SipPort};transport=udp";

    /// <summary>The probing interval (Kamailio's smallest: one second).</summary>
    public static TimeSpan PingInterval { get; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a node may take to answer a probe or an INVITE (tm fr_timer). Generous for a loaded
    /// CI machine: a node that answers late would be taken out of rotation and skew the spread.
    /// </summary>
    public static TimeSpan NodeTimeout { get; } = TimeSpan.FromSeconds(3);

    /// <summary>Picks the port first: nodes are started pointing at it before Kamailio knows them.</summary>
    public static DispatcherKamailio Create() =>
        new(Directory.CreateTempSubdirectory("dialtone-dispatcher-").FullName, FreePorts.Next());

    /// <summary>Writes the config with <paramref name="nodes"/> (host:port, UDP) as set 1 and starts Kamailio.</summary>
    public async Task StartAsync(IEnumerable<(string Duid, string Address)> nodes)
    {
        var list = string.Join('\n', nodes.Select(n => $"1 sip:{n.Address};transport=udp 0 0 duid={n.Duid};maxload=1000")) + "\n";
        await File.WriteAllTextAsync(Path.Combine(_workDir, "dispatcher.list"), list);
        var cfg = (await File.ReadAllTextAsync(RepoPaths.Infra("kamailio", "dispatcher.cfg.template")))
            .Replace("@SIP_PORT@", SipPort.ToString(), StringComparison.Ordinal)
            .Replace("@WORK_DIR@", _workDir, StringComparison.Ordinal)
            .Replace("@PING_INTERVAL@", ((int)PingInterval.TotalSeconds).ToString(), StringComparison.Ordinal)
            .Replace("@FR_TIMER_MS@", ((int)NodeTimeout.TotalMilliseconds).ToString(), StringComparison.Ordinal)
            .Replace("@AUTH_SECRET@", Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(_workDir, "kamailio.cfg"), cfg);

        _process = new ChildProcess(KamailioBinary(),
        [
            "-DD", "-E", "-f", Path.Combine(_workDir, "kamailio.cfg"), "-P", Path.Combine(_workDir, "kamailio.pid"),
            "-Y", _workDir, "-w", _workDir, "-m", "64", "-M", "8",
        ], _workDir);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await AcceptsAsync(SipPort))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"kamailio exited with {_process.ExitCode}:\n{_process.Tail()}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"kamailio not listening on {SipPort}:\n{_process.Tail()}");
            await Task.Delay(50);
        }
    }

    public string Log => _process?.Output ?? "";

    /// <summary>kamailio lives in /usr/sbin, which a non-root PATH often lacks.</summary>
    private static string KamailioBinary()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        foreach (var dir in path.Concat(["/usr/sbin", "/usr/local/sbin"]))
        {
            var candidate = Path.Combine(dir, "kamailio");
            if (File.Exists(candidate))
                return candidate;
        }
        return "kamailio";
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TimeSpan.FromSeconds(1));
            return true;
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _process?.Dispose();
        try
        {
            Directory.Delete(_workDir, recursive: true);
        }
        catch (IOException)
        {
        }
        return ValueTask.CompletedTask;
    }
}
