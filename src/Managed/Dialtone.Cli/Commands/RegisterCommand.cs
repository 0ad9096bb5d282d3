using System.CommandLine;
using Dialtone.Cli.Audio;
using Dialtone.Cli.Configuration;
using Spectre.Console;

namespace Dialtone.Cli.Commands;

/// <summary><c>dialtone register</c>: proves the server, identity and password work; <c>--stay</c> keeps the registration.</summary>
internal static class RegisterCommand
{
    public const string Examples = """
        Examples:
          DIALTONE_PASSWORD=secret dialtone register --server wss://sip.example.com/ws --user sip:alice@example.com
          dialtone register --config alice.json --stay
          dialtone register -s "sip:pbx.example.com;transport=tls" -u sip:100@pbx.example.com --ca company-ca.pem
        """;

    public static Command Create(CliHost host)
    {
        var connection = new ConnectionOptions();
        var stay = new Option<bool>("--stay")
        {
            Description = "Stay registered (refreshing the registration) until Ctrl+C, then unregister. Incoming calls are declined; use 'listen' to take them.",
        };
        var command = new Command("register",
            "Register with the SIP server and report whether it worked. Without --stay the registration is removed again right away.");
        connection.AddTo(command);
        command.Options.Add(stay);
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(host, () => RunAsync(host, connection.Read(parse), parse.GetValue(stay), cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(CliHost host, CliSettings settings, bool stay, CancellationToken cancellationToken)
    {
        await using var session = await PhoneSession.StartAsync(settings, host, CallAudio.Plan(AudioRequest.Silent), cancellationToken).ConfigureAwait(false);
        await session.RegisterAsync(cancellationToken).ConfigureAwait(false);
        host.Console.MarkupLine($"[green]Registered[/] {Markup.Escape(session.Agent.Identity.Uri.ToString())} at {Markup.Escape(settings.Server!)}.");
        if (!stay)
            return (int)ExitCode.Ok;

        host.Console.MarkupLine("Staying registered; press Ctrl+C to unregister and quit.");
        session.ReportRegistrationChanges(text => host.Console.WriteLine(text));
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        host.Console.MarkupLine("Unregistering.");
        return (int)ExitCode.Ok;
    }
}
