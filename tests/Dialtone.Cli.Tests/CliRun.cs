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

    /// <summary>A run whose output can be read while it goes on (for commands that wait, like listen).</summary>
    public sealed class Running
    {
        private readonly StringWriter _text = new();
        private readonly TextWriter _writer;

        public Running(string[] args, CancellationToken cancellationToken)
        {
            _writer = TextWriter.Synchronized(_text);
            Completion = DialtoneCli.RunAsync(args, CliHost.ForText(_writer), cancellationToken);
        }

        public Task<int> Completion { get; }

        /// <summary>What it printed so far (the synchronized writer locks on itself).</summary>
        public string Output
        {
            get
            {
                lock (_writer)
                    return _text.ToString();
            }
        }
    }
}
