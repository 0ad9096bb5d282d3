using System.CommandLine;
using System.Diagnostics;
using Dialtone.Cli.Configuration;
using Dialtone.Cli.Demo;
using Dialtone.Cli.Views;

namespace Dialtone.Cli.Commands;

/// <summary><c>dialtone demo</c>: a complete call between two built-in parties, with nothing to set up.</summary>
internal static class DemoCommand
{
    public const string Examples = """
        Examples:
          dialtone demo                 live view at a terminal
          dialtone demo --no-view       timestamped lines, as CI runs it
        """;

    public static Command Create(CliHost host)
    {
        var noView = new Option<bool>("--no-view")
        {
            Description = "Print plain timestamped lines instead of the live table (automatic when output is not a terminal).",
        };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log SIP messages and call events to standard error." };
        var command = new Command("demo",
            "A complete call on this machine with nothing to set up: an embedded SIP server on 127.0.0.1, "
            + "alice calls bob, tones both ways (Opus, DTLS-SRTP, echo canceller on), DTMF, hold, resume, hang up. "
            + "Exit code 0 only if audio and the DTMF digits arrived at both ends.");
        command.Options.Add(noView);
        command.Options.Add(verbose);
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(host, () => RunAsync(host, !parse.GetValue(noView), parse.GetValue(verbose), cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(CliHost host, bool live, bool verbose, CancellationToken cancellationToken)
    {
        using var loggers = Logging.Create(verbose);
        var clock = Stopwatch.StartNew();
        string? failure = null;
        DemoScript script;
        await using (var view = CallViews.Create(host, live && !verbose, "dialtone demo: alice calls bob"))
        {
            script = new DemoScript(view, loggers);
            try
            {
                await script.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                failure = "interrupted";
            }
            catch (Exception e)
            {
                failure = ErrorReport.Describe(e);
                view.Event("error", failure);
            }
        }
        DemoSummary.Write(host.Console, script.Checks, script.FinalStatus, clock.Elapsed, failure);
        if (failure == "interrupted")
            return (int)ExitCode.Interrupted;
        return failure is null && script.Checks.Count > 0 && script.Checks.All(c => c.Passed) ? (int)ExitCode.Ok : (int)ExitCode.NoAudio;
    }
}
