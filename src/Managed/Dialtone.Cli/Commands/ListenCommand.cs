using System.CommandLine;
using Dialtone.Cli.Audio;
using Dialtone.Cli.Configuration;
using Dialtone.Cli.Views;
using Dialtone.Phone;
using Spectre.Console;

namespace Dialtone.Cli.Commands;

/// <summary><c>dialtone listen</c>: registers and takes calls one at a time until Ctrl+C.</summary>
internal static class ListenCommand
{
    public const string Examples = """
        Examples:
          dialtone listen -s wss://sip.example.com/ws -u sip:alice@example.com
          dialtone listen --auto-answer --play greeting.wav --record calls.wav -c alice.json
        """;

    public static Command Create(CliHost host)
    {
        var connection = new ConnectionOptions();
        var autoAnswer = new Option<bool>("--auto-answer") { Description = "Answer every call at once instead of asking." };
        var play = new Option<string>("--play") { Description = "Play this WAV file (16-bit PCM) to callers.", HelpName = "file.wav" };
        var record = new Option<string>("--record") { Description = "Record what callers say to this WAV file (all calls, one after another).", HelpName = "file.wav" };
        var noView = new Option<bool>("--no-view") { Description = "Plain log lines instead of the live view (automatic when output is not a terminal)." };
        var command = new Command("listen",
            "Register and wait for calls. Each call is answered (asked at the terminal, or at once with --auto-answer) and shown live; "
            + "a second call while one is active is answered busy (486). Ctrl+C hangs up, unregisters and quits with exit code 0.");
        connection.AddTo(command);
        foreach (var option in new Option[] { autoAnswer, play, record, noView })
            command.Options.Add(option);
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(host, () => RunAsync(
            host, connection.Read(parse), parse.GetValue(autoAnswer), parse.GetValue(play), parse.GetValue(record), !parse.GetValue(noView), cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(CliHost host, CliSettings settings, bool autoAnswer, string? play, string? record, bool live, CancellationToken cancellationToken)
    {
        if (!autoAnswer && !host.InputIsTerminal)
            throw new CliException(ExitCode.Usage, "Nobody is at a terminal to answer calls: use --auto-answer.");
        await using var session = await PhoneSession.StartAsync(settings, host, CallAudio.Plan(play, record), cancellationToken).ConfigureAwait(false);
        var incoming = System.Threading.Channels.Channel.CreateUnbounded<Call>();
        var busy = 0;
        session.Agent.IncomingCall += (_, e) =>
        {
            // One call at a time: a person cannot hold two conversations on one line.
            if (Interlocked.CompareExchange(ref busy, 1, 0) != 0)
                _ = RejectQuietlyAsync(e.Call, 486);
            else
                incoming.Writer.TryWrite(e.Call);
        };
        await session.RegisterAsync(cancellationToken).ConfigureAwait(false);
        session.ReportRegistrationChanges(text => host.Console.WriteLine(text));

        try
        {
            while (true)
            {
                host.Console.MarkupLine($"[green]Registered[/] as {Markup.Escape(session.Agent.Identity.Uri.ToString())}; waiting for calls (Ctrl+C to quit).");
                var call = await incoming.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await TakeAsync(host, session, call, autoAnswer, live, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    Volatile.Write(ref busy, 0);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            host.Console.MarkupLine("Unregistering.");
            return (int)ExitCode.Ok;
        }
    }

    private static async Task TakeAsync(CliHost host, PhoneSession session, Call call, bool autoAnswer, bool live, CancellationToken cancellationToken)
    {
        var caller = Format.Who(call.RemoteIdentity);
        host.Console.MarkupLine($"[bold]Incoming call[/] from {Markup.Escape(caller)}");
        if (!autoAnswer && !await AskAsync(host, call, caller, cancellationToken).ConfigureAwait(false))
        {
            await RejectQuietlyAsync(call, 603).ConfigureAwait(false);
            host.Console.MarkupLine("Declined.");
            return;
        }
        if (call.State == CallState.Ended)
        {
            host.Console.MarkupLine("The caller hung up before the call was answered.");
            return;
        }

        var monitor = new CallMonitor("you") { Call = call };
        await using var view = CallViews.Create(host, live && !session.Verbose, $"call from {caller}");
        call.StateChanged += (_, e) =>
        {
            if (e.End is null)
                view.Event("call", PartyStatus.Describe(e.State));
        };
        using var polling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var poller = StatsPoller.RunAsync([monitor], view, polling.Token);
        try
        {
            await call.AnswerAsync(cancellationToken).ConfigureAwait(false);
            view.Event("you", "answered");
            var end = await call.Ended.WaitAsync(cancellationToken).ConfigureAwait(false);
            view.Event("call", $"ended: {CallOutcome.Describe(end)}");
        }
        catch (CallFailedException e)
        {
            view.Event("you", $"could not answer: {CallOutcome.Describe(e.End)}");
        }
        finally
        {
            if (cancellationToken.IsCancellationRequested)
                view.Event("you", "hanging up (Ctrl+C)");
            await polling.CancelAsync().ConfigureAwait(false);
            await poller.ConfigureAwait(false);
            await monitor.SampleAsync(CancellationToken.None).ConfigureAwait(false);
            view.Update([monitor.Status]);
        }
    }

    /// <summary>Asks at the terminal; a caller who hangs up while we ask ends the question.</summary>
    private static async Task<bool> AskAsync(CliHost host, Call call, string caller, CancellationToken cancellationToken)
    {
        using var asking = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var prompt = new ConfirmationPrompt($"Answer the call from {Markup.Escape(caller)}?").ShowAsync(host.Console, asking.Token);
        if (await Task.WhenAny(prompt, call.Ended).ConfigureAwait(false) == prompt)
            return await prompt.ConfigureAwait(false);
        await asking.CancelAsync().ConfigureAwait(false);
        try
        {
            await prompt.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        return false;
    }

    private static async Task RejectQuietlyAsync(Call call, int status)
    {
        try
        {
            await call.RejectAsync(status).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // The caller gave up first.
        }
        catch (Sip.Transport.SipTransportException)
        {
        }
    }
}
