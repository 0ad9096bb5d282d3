using System.CommandLine;
using System.CommandLine.Help;
using Dialtone.Cli.Commands;
using Spectre.Console;

namespace Dialtone.Cli;

/// <summary>The <c>dialtone</c> command line: builds the command tree and runs one invocation.</summary>
internal static class DialtoneCli
{
    public static RootCommand CreateRoot(CliHost host)
    {
        var root = new RootCommand(
            "dialtone: a softphone for SIP over WebSocket (wss://), TLS, TCP and UDP, with libwebrtc audio.\n\n"
            + "Start here:\n"
            + "  dialtone demo                         a whole call on this machine, nothing to set up\n"
            + "  dialtone register -s wss://sip.example.com/ws -u sip:alice@example.com\n"
            + "  dialtone call sip:bob@example.com -s wss://sip.example.com/ws -u sip:alice@example.com --duration 30s\n"
            + "  dialtone listen -s wss://sip.example.com/ws -u sip:alice@example.com\n"
            + "  dialtone devices                      the microphones and speakers --microphone/--speaker choose from\n\n"
            + "The password is read from $DIALTONE_PASSWORD (or asked for at a terminal, never echoed).\n\n"
            + ExitCodesHelp);
        (Command Command, string Examples)[] commands =
        [
            (DemoCommand.Create(host), DemoCommand.Examples),
            (RegisterCommand.Create(host), RegisterCommand.Examples),
            (CallCommand.Create(host), CallCommand.Examples),
            (ListenCommand.Create(host), ListenCommand.Examples),
            (DevicesCommand.Create(host), DevicesCommand.Examples),
        ];
        foreach (var (command, _) in commands)
            root.Subcommands.Add(command);
        HelpWithExamples.Install(root, commands.ToDictionary(c => c.Command, c => c.Examples));
        root.SetAction(parse =>
        {
            // A bare "dialtone" shows what it can do rather than an error.
            new HelpAction().Invoke(parse);
            return (int)ExitCode.Usage;
        });
        return root;
    }

    public const string ExitCodesHelp =
        "Exit codes:\n"
        + "  0  ok: registered / call answered / demo heard audio both ways\n"
        + "  1  call rejected (busy, declined, not found) or failed\n"
        + "  2  usage: bad option or configuration file\n"
        + "  3  registration or authentication refused (also for a call)\n"
        + "  4  cannot reach the SIP server\n"
        + "  5  demo: audio or DTMF did not arrive at both ends\n"
        + "  6  no answer (timed out, 408, 480)\n"
        + "  7  no sound server (or the sound device could not be opened); --no-audio calls without one\n"
        + "  130 interrupted (Ctrl+C) before the call was answered, or during the demo";

    public static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken cancellationToken = default)
    {
        var root = CreateRoot(host);
        var parse = root.Parse(args);
        var invocation = new InvocationConfiguration
        {
            Output = host.Out,
            Error = host.Error,
            // Ctrl+C and SIGTERM cancel the action's token; the user agent's disposal hangs up and
            // unregisters (bounded in the Phone layer). This is the last resort if it is slower.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(5),
        };
        if (parse.Errors.Count > 0 && parse.Action is not (HelpAction or HelpWithExamples))
        {
            foreach (var error in parse.Errors)
                ErrorReport.WriteError(host, error.Message);
            host.Error.WriteLine("Run dialtone --help (or dialtone COMMAND --help) to see the options.");
            return (int)ExitCode.Usage;
        }
        return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }
}
