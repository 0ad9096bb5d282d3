namespace Dialtone.Cli.Commands;

/// <summary>Runs a command's body so that no failure escapes as a stack trace: each becomes a message and an exit code.</summary>
internal static class CliAction
{
    public static async Task<int> RunAsync(CliHost host, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return ErrorReport.Report(host, e);
        }
    }
}
