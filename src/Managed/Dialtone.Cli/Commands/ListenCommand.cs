using System.CommandLine;
using Dialtone.Cli.Audio;
using Dialtone.Cli.Configuration;
using Dialtone.Cli.Controls;
using Dialtone.Cli.Views;
using Dialtone.Phone;
using Spectre.Console;

namespace Dialtone.Cli.Commands;

/// <summary>
/// <c>dialtone listen</c>: registers and takes calls one at a time until Ctrl+C — or, with
/// <c>--max-calls N</c>, answers up to N at once, each with its own audio (ListenCommand.ManyCalls.cs).
/// </summary>
internal static partial class ListenCommand
{
    public const string Examples = """
        Examples:
          dialtone listen -s wss://sip.example.com/ws -u sip:alice@example.com
          dialtone listen -c alice.json --microphone "Headset Mono" --speaker "Headset Analog Stereo"
          dialtone listen --auto-answer --no-audio --record calls.wav -c alice.json
          printf 'answer\n' | dialtone listen -c alice.json --no-audio      (controls as lines on standard input)
          dialtone listen -c bot.json --max-calls 20 --play welcome.wav --record recordings/
          dialtone listen -c bot.json --max-calls 200 --lean --play welcome.wav      (less CPU per call: wideband Opus, shared threads)
          dialtone listen -s "sip:pbx.lan;transport=udp" -u sip:alice@pbx.lan --media sdes      (also SDES-SRTP calls from a PBX or trunk)
          dialtone listen -s "sip:pbx.lan;transport=udp" -u sip:alice@pbx.lan --media rtp --allow-unencrypted
        """;

    public static Command Create(CliHost host)
    {
        var connection = new ConnectionOptions();
        var audio = new AudioOptions("Play this WAV file (16-bit PCM) to callers instead of the microphone.",
            "Record what callers say to this WAV file (with --play or --no-audio all calls one after another; with the microphone and speaker one file per call: FILE, FILE-2, ...). "
            + "With --max-calls: a folder, one WAV file per call.");
        var autoAnswer = new Option<bool>("--auto-answer") { Description = "Answer every call at once instead of waiting for the a key (or an 'answer' line)." };
        var noView = new Option<bool>("--no-view") { Description = "Plain log lines instead of the live view (automatic when output is not a terminal)." };
        var maxCalls = new Option<int?>("--max-calls")
        {
            Description = "Answer up to N calls at once, each with its own audio and no sound device (--play to every caller, --record FOLDER for one file per call); "
                + "more calls are answered 486 Busy Here. Implies --auto-answer and plain log lines.",
            HelpName = "N",
        };
        var lean = new Option<bool>("--lean")
        {
            Description = "With --max-calls: the lean engine for bots — wideband Opus (16 kHz) and every call's send-side work on shared threads "
                + "(one per 50 calls, at most one per core): less CPU per call (docs/scale-out.md). Without it calls get fullband Opus, as a softphone.",
        };
        var media = new MediaOptions(forListen: true);
        var command = new Command("listen",
            "Register and wait for calls. A call rings until you press a (answer) or r (reject), or at once with --auto-answer; "
            + "then keys drive it as in 'call'. A second call while one is active is answered busy (486). "
            + "WebRTC calls only unless --media sdes (or rtp with --allow-unencrypted) takes carrier and PBX calls too; an unencrypted call is announced on standard error. "
            + "Ctrl+C hangs up, unregisters and quits with exit code 0.");
        connection.AddTo(command);
        audio.AddTo(command);
        media.AddTo(command);
        command.Options.Add(autoAnswer);
        command.Options.Add(noView);
        command.Options.Add(maxCalls);
        command.Options.Add(lean);
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(host, () =>
        {
            var choice = media.Read(parse);
            var settings = connection.Read(parse) with { Media = choice };
            if (parse.GetValue(maxCalls) is not { } max)
            {
                if (parse.GetValue(lean))
                    throw new CliException(ExitCode.Usage, "--lean is for many calls at once: use it with --max-calls.");
                return RunAsync(host, settings, audio.Read(parse, host), parse.GetValue(autoAnswer), !parse.GetValue(noView), cancellationToken);
            }

            // Per-call audio (--play/--record for each caller) exists for WebRTC calls only: an SDES
            // or plain RTP call has no per-call track to play into or record from yet.
            if (choice.UsesLegacyMedia)
                throw new CliException(ExitCode.Usage, "--max-calls takes WebRTC calls only: per-call audio does not exist for SDES or plain RTP calls yet; leave out --media and --allow-unencrypted.");
            return RunManyAsync(host, settings, audio.Read(parse, host), max, parse.GetValue(lean), cancellationToken);
        }));
        return command;
    }

    private static async Task<int> RunAsync(CliHost host, CliSettings settings, AudioRequest audioRequest, bool autoAnswer, bool live, CancellationToken cancellationToken)
    {
        if (!autoAnswer && !host.InputIsTerminal && host.Input is null)
            throw new CliException(ExitCode.Usage, "Nobody is at a terminal to answer calls: use --auto-answer (or send 'answer' lines on standard input).");
        var audio = CallAudio.Plan(audioRequest);
        await using var session = await PhoneSession.StartAsync(settings, host, audio, cancellationToken).ConfigureAwait(false);
        await using var controls = ControlInput.Start(host);
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
        var deviceProblems = new DeviceProblems(session.Agent.MediaFactory);

        try
        {
            while (true)
            {
                host.Console.MarkupLine($"[green]Registered[/] as {Markup.Escape(session.Agent.Identity.Uri.ToString())}; waiting for calls (Ctrl+C to quit).");
                var call = await incoming.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    controls.DiscardPending();
                    await TakeAsync(host, session, call, autoAnswer, live, controls, deviceProblems, cancellationToken).ConfigureAwait(false);
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

    private static async Task TakeAsync(CliHost host, PhoneSession session, Call call, bool autoAnswer, bool live, ControlInput controls,
        DeviceProblems deviceProblems, CancellationToken cancellationToken)
    {
        var caller = Format.Who(call.RemoteIdentity);
        host.Console.MarkupLine($"[bold]Incoming call[/] from {Markup.Escape(Text.Escape(caller))}");
        var factory = session.Agent.MediaFactory;
        var monitor = new PhoneMonitor("you", factory, session.Audio.Description, session.Audio.UsesSoundServer) { Call = call };
        await using var view = CallViews.Create(host, live && !session.Verbose, $"call from {Text.Escape(caller)}");
        view.ShowFooter(controls.Footer);
        using var devices = deviceProblems.Report(monitor, view);
        call.StateChanged += (_, e) =>
        {
            if (e.End is null)
                view.Event("call", PartyStatus.Describe(e.State));
        };
        // The offer chose the media path already: say which, and loudly when it is not encrypted,
        // before the user decides to answer.
        view.Event("call", $"media: {MediaChoice.Describe(call)}");
        MediaChoice.WarnIfUnencrypted(host, call);
        using var polling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var poller = StatsPoller.RunAsync([monitor], view, polling.Token);
        try
        {
            if (!autoAnswer)
            {
                controls.Ringing = true;
                view.Event("call", $"ringing: {caller}" + (host.InputIsTerminal ? " (a answers, r rejects)" : " ('answer' or 'reject' on standard input)"));
                var decision = await DecideAsync(controls, call, cancellationToken).ConfigureAwait(false);
                controls.Ringing = false;
                if (decision is null)
                {
                    view.Event("call", "the caller hung up before the call was answered");
                    return;
                }
                if (decision is Reject)
                {
                    await RejectQuietlyAsync(call, 603).ConfigureAwait(false);
                    view.Event("you", "declined (603)");
                    return;
                }
            }
            await call.AnswerAsync(cancellationToken).ConfigureAwait(false);
            using var recording = session.Audio.RecordPeer(call);
            view.Event("you", "answered");
            await new CallControls(call, factory, view).RunUntilEndedAsync(controls.Reader, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            view.Event("call", $"ended: {CallOutcome.Describe(await call.Ended.ConfigureAwait(false))}");
        }
        catch (CallFailedException e)
        {
            view.Event("you", $"could not answer: {CallOutcome.Describe(e.End)}");
        }
        catch (InvalidOperationException e)
        {
            // The caller hung up between the ring and the answer.
            view.Event("you", $"could not answer: {e.Message}");
        }
        finally
        {
            controls.Ringing = false;
            if (cancellationToken.IsCancellationRequested)
                view.Event("you", "hanging up (Ctrl+C)");
            await polling.CancelAsync().ConfigureAwait(false);
            await poller.ConfigureAwait(false);
            await monitor.SampleAsync(CancellationToken.None).ConfigureAwait(false);
            view.Update([monitor.Status]);
        }
    }

    /// <summary>Answer or Reject from the user; null when the caller gave up first. Other controls wait for the call.</summary>
    private static async Task<Control?> DecideAsync(ControlInput controls, Call call, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            while (true)
            {
                var ready = controls.Reader.WaitToReadAsync(stop.Token).AsTask();
                if (await Task.WhenAny(ready, call.Ended).ConfigureAwait(false) != ready)
                    return null;
                cancellationToken.ThrowIfCancellationRequested();
                if (!await ready.ConfigureAwait(false))
                    return null;
                while (controls.Reader.TryRead(out var control))
                {
                    if (control is Answer or Reject)
                        return control;
                    if (control is Hangup)
                        return new Reject();
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }

    private static async Task RejectQuietlyAsync(Call call, int status)
    {
        try
        {
            await call.RejectAsync(status).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException
            or Sip.Transport.SipTransportException or Sip.Transactions.SipTransactionTimeoutException)
        {
            // The caller gave up first, or the connection went: nothing left to decline.
        }
    }
}
