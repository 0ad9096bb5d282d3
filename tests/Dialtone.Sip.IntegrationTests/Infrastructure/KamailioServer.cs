using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dialtone.Sip.IntegrationTests.Infrastructure;

/// <summary>
/// A real Kamailio on 127.0.0.1 (registrar + proxy, digest auth, UDP/TCP/TLS/WS/WSS), with its
/// config generated from tests/infra/kamailio and a test CA made by tests/infra/make-test-ca.sh
/// in a temp folder. Can be stopped and started again on the same ports.
/// </summary>
public sealed class KamailioServer : IAsyncDisposable
{
    public const string Domain = "dialtone.test";
    public const int MinExpires = 30;

    private readonly string _workDir;
    private ChildProcess? _process;

    private KamailioServer(string workDir)
    {
        _workDir = workDir;
        SipPort = FreePorts.Next();
        TlsPort = FreePorts.Next();
        WsPort = FreePorts.Next();
        WssPort = FreePorts.Next();
    }

    public int SipPort { get; }
    public int TlsPort { get; }
    public int WsPort { get; }
    public int WssPort { get; }

    public Uri WsUri => new($"ws://127.0.0.1:{WsPort}/");

    /// <summary>The certificate is issued for localhost and 127.0.0.1.</summary>
    public Uri WssUri => new($"wss://localhost:{WssPort}/");

    /// <summary>The test CA that signed Kamailio's certificate.</summary>
    public X509Certificate2 CaCertificate { get; private set; } = null!;

    public static readonly IReadOnlyDictionary<string, string> Passwords = new Dictionary<string, string>
    {
        ["alice"] = "alice-secret",
        ["bob"] = "bob-secret",
        ["carol"] = "carol-secret",
    };

    public static async Task<KamailioServer> StartNewAsync()
    {
        var dir = Directory.CreateTempSubdirectory("dialtone-kamailio-").FullName;
        var server = new KamailioServer(dir);
        try
        {
            await server.PrepareAsync();
            await server.StartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task PrepareAsync()
    {
        using (var ca = new ChildProcess("bash", [RepoPaths.Infra("make-test-ca.sh"), _workDir]))
        {
            if (await ca.WaitForExitAsync(TimeSpan.FromSeconds(30)) != 0)
                throw new InvalidOperationException("make-test-ca.sh failed:\n" + ca.Tail());
        }
        CaCertificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(_workDir, "ca.pem")));

        var tls = (await File.ReadAllTextAsync(RepoPaths.Infra("kamailio", "tls.cfg.template")))
            .Replace("@CERT_DIR@", _workDir, StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(_workDir, "tls.cfg"), tls);

        var cfg = (await File.ReadAllTextAsync(RepoPaths.Infra("kamailio", "kamailio.cfg.template")))
            .Replace("@SIP_PORT@", SipPort.ToString(), StringComparison.Ordinal)
            .Replace("@TLS_PORT@", TlsPort.ToString(), StringComparison.Ordinal)
            .Replace("@WS_PORT@", WsPort.ToString(), StringComparison.Ordinal)
            .Replace("@WSS_PORT@", WssPort.ToString(), StringComparison.Ordinal)
            .Replace("@WORK_DIR@", _workDir, StringComparison.Ordinal)
            .Replace("@MIN_EXPIRES@", MinExpires.ToString(), StringComparison.Ordinal)
            .Replace("@AUTH_SECRET@", Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(_workDir, "kamailio.cfg"), cfg);
    }

    /// <summary>Starts Kamailio and waits until every TCP listener accepts connections.</summary>
    public async Task StartAsync()
    {
        if (_process is { HasExited: false })
            throw new InvalidOperationException("already running");
        _process?.Dispose();
        _process = new ChildProcess(KamailioBinary(),
        [
            "-DD", "-E", "-f", Path.Combine(_workDir, "kamailio.cfg"), "-P", Path.Combine(_workDir, "kamailio.pid"),
            "-Y", _workDir, "-w", _workDir, "-m", "64", "-M", "8",
        ], _workDir);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        foreach (var port in new[] { SipPort, TlsPort, WsPort, WssPort })
        {
            while (!await AcceptsAsync(port))
            {
                if (_process.HasExited)
                    throw new InvalidOperationException($"kamailio exited with {_process.ExitCode}:\n{_process.Tail()}");
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"kamailio not listening on {port}:\n{_process.Tail()}");
                await Task.Delay(50);
            }
        }
    }

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
        return "kamailio"; // ChildProcess then says how to install it
    }

    /// <summary>
    /// Freezes (SIGSTOP) or thaws (SIGCONT) Kamailio and its worker processes: connections stay
    /// open but nothing answers — the failure only keep-alives can detect.
    /// </summary>
    public async Task SignalAllAsync(string signal)
    {
        if (_process is null || _process.HasExited)
            throw new InvalidOperationException("kamailio is not running");
        var pids = new List<int> { _process.Id };
        var childrenFile = $"/proc/{_process.Id}/task/{_process.Id}/children";
        pids.AddRange((await File.ReadAllTextAsync(childrenFile))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
        using var kill = new ChildProcess("kill", [$"-{signal}", .. pids.Select(p => p.ToString())]);
        if (await kill.WaitForExitAsync(TimeSpan.FromSeconds(10)) != 0)
            throw new InvalidOperationException($"kill -{signal} failed: {kill.Tail()}");
    }

    /// <summary>Kills Kamailio abruptly (as a crash would): every flow to it breaks.</summary>
    public void Kill() => _process?.Kill();

    public string Log => _process?.Output ?? "";

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
