using System.Diagnostics;

namespace Dialtone.Network.Tests.Lab;

/// <summary>Runs tests/infra/netlab/lab.sh (shared by the tests and bench/Dialtone.Network.Bench).</summary>
public static class LabScript
{
    public static string Path { get; } = System.IO.Path.Combine(RepoRoot(), "tests", "infra", "netlab", "lab.sh");

    public static async Task RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        // This process's lab, not another run's (lab.sh's own default is "nl"); its work dir follows
        // the prefix (/tmp/PREFIX-lab, as NetLab.WorkDir) unless NETLAB_DIR is set for both.
        info.Environment["NETLAB_PREFIX"] = LabAgent.Prefix;
        info.ArgumentList.Add(Path);
        foreach (var a in args)
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"lab.sh {string.Join(' ', args)} failed ({process.ExitCode}); it needs root, tests/infra/install-network.sh " +
                $"and install-sip-servers.sh:\n{await output}\n{await error}");
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Interop.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Repository root (Interop.sln) not found above " + AppContext.BaseDirectory);
    }
}
