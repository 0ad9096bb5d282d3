using System.Diagnostics;

namespace Dialtone.Load.Bench;

/// <summary>The load generator in its own process (this program run as <c>generate</c>): one command line in, one result line out.</summary>
internal sealed class GeneratorProcess : IDisposable
{
    private readonly Process _process;

    public GeneratorProcess(string wssUri, string caPemPath, bool perCall, bool lean)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var info = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { typeof(GeneratorProcess).Assembly.Location, "generate", wssUri, caPemPath, perCall ? "per-call" : "device", lean ? "lean" : "default" })
            info.ArgumentList.Add(a);
        _process = Process.Start(info) ?? throw new InvalidOperationException("cannot start the load generator");
    }

    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public async Task WaitReadyAsync() => Expect(await ReadLineAsync(TimeSpan.FromSeconds(60)), "READY");

    /// <summary>Sends a command; returns its result's words after "OK" (throws on "ERROR ...").</summary>
    public async Task<string[]> RunAsync(string command, TimeSpan timeout)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        var line = await ReadLineAsync(timeout);
        if (!line.StartsWith("OK", StringComparison.Ordinal))
            throw new InvalidOperationException($"generator: '{command}' → {line}");
        return line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
    }

    private async Task<string> ReadLineAsync(TimeSpan timeout)
    {
        // Skip anything else the generator's libraries print.
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var line = await _process.StandardOutput.ReadLineAsync(cts.Token)
                ?? throw new InvalidOperationException($"the load generator exited ({(_process.HasExited ? _process.ExitCode : -1)})");
            if (line.StartsWith("OK", StringComparison.Ordinal) || line.StartsWith("ERROR", StringComparison.Ordinal) || line == "READY")
                return line;
        }
    }

    private static void Expect(string line, string expected)
    {
        if (line != expected)
            throw new InvalidOperationException($"generator said '{line}', expected '{expected}'");
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(10_000))
                _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
