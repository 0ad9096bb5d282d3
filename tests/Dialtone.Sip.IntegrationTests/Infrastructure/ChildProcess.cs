using System.Diagnostics;
using System.Text;

namespace Dialtone.Sip.IntegrationTests.Infrastructure;

/// <summary>Runs a program, collecting its output, and kills it (with its children) on dispose.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public ChildProcess(string fileName, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in arguments)
            info.ArgumentList.Add(a);
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        try
        {
            _process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"cannot start {fileName} ({ex.Message}); run tests/infra/install-sip-servers.sh first", ex);
        }
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public string Tail(int lines = 40) => string.Join('\n', Output.Split('\n').TakeLast(lines));

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{_process.StartInfo.FileName} did not finish within {timeout}:\n{Tail()}");
        }
        return _process.ExitCode;
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
