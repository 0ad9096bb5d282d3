using System.Diagnostics;

namespace Dialtone.Interop.Tests.Infrastructure;

/// <summary>
/// Makes Chromium on Linux trust one CA: Chromium reads user-added trust anchors from the NSS
/// database in <c>$HOME/.pki/nssdb</c>, so the harness gives Chromium its own throw-away HOME and
/// adds the CA there with certutil (libnss3-tools) as trusted for TLS servers only ("C,,").
/// </summary>
internal static class ChromiumNssTrust
{
    /// <summary>Creates the database (once) and adds the CA as a trust anchor for TLS servers.</summary>
    public static async Task TrustAsync(string home, string caPemPath, string nickname)
    {
        var db = Path.Combine(home, ".pki", "nssdb");
        if (!File.Exists(Path.Combine(db, "cert9.db")))
        {
            Directory.CreateDirectory(db);
            await RunCertutilAsync("-N", "-d", $"sql:{db}", "--empty-password");
        }
        await RunCertutilAsync("-A", "-d", $"sql:{db}", "-n", nickname, "-t", "C,,", "-i", caPemPath);
    }

    private static async Task RunCertutilAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("certutil") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("certutil is missing (Debian package libnss3-tools): run tests/infra/install-browser.sh.", e);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"certutil {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}{await output}");
        }
    }
}
