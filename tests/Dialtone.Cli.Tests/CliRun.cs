namespace Dialtone.Cli.Tests;

/// <summary>Runs the dialtone entry point in-process, as the executable would, capturing what it prints.</summary>
internal static class CliRun
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string[] args, Func<string, string?>? environment = null, CancellationToken cancellationToken = default)
    {
        var output = new StringWriter();
        var code = await DialtoneCli.RunAsync(args, CliHost.ForText(output, environment), cancellationToken);
        return (code, output.ToString());
    }
}
