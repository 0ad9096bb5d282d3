using System.CommandLine;
using Dialtone.Cli.Audio;
using Dialtone.Cli.Configuration;
using Dialtone.Cli.Controls;
using Dialtone.Cli.Views;
using Dialtone.Phone;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sdp;

namespace Dialtone.Cli.Commands;

/// <summary><c>dialtone call URI</c>: places one call, shows it live, lets keys (or input lines) drive it, and exits with how it went.</summary>
internal static class CallCommand
{
    private static readonly TimeSpan DefaultAnswerTimeout = TimeSpan.FromSeconds(60);
    /// <summary>How long <c>--dtmf</c> waits for the peer to receive our audio before sending anyway.</summary>
    private static readonly TimeSpan DtmfMaxWait = TimeSpan.FromSeconds(10);

    public const string Examples = """
        Examples:
          dialtone call sip:bob@example.com -s wss://sip.example.com/ws -u sip:alice@example.com
          dialtone call sip:bob@example.com -c alice.json --microphone "Headset Mono" --speaker "Headset Analog Stereo"
          dialtone call sip:ivr@example.com -c alice.json --play hello.wav --record reply.wav --dtmf 12# --duration 20s
          dialtone call sip:bob@example.com -c alice.json --no-audio --answer-timeout 30s
          dialtone call sip:+15551234567@trunk.example.com -s "sip:trunk.example.com;transport=tls" -u sip:alice@trunk.example.com --media sdes
          dialtone call sip:200@pbx.lan -s "sip:pbx.lan;transport=udp" -u sip:alice@pbx.lan --media rtp --allow-unencrypted
        """;

    public static Command Create(CliHost host)
    {
        var connection = new ConnectionOptions();
        var media = new MediaOptions();
        var audio = new AudioOptions("Play this WAV file (16-bit PCM) as your voice instead of the microphone.", "Record what you hear to this WAV file (the peer's voice; also with the microphone and speaker).");
        var target = new Argument<string>("uri") { Description = "Whom to call, e.g. sip:bob@example.com." };
        var duration = Durations.Option("--duration", "Hang up this long after the call is answered (e.g. 30s, 2m). Without it the call lasts until either side hangs up, the h key, or Ctrl+C.");
        var answerTimeout = Durations.Option("--answer-timeout", "Give up if nobody answers within this time (default 60s); exit code 6.");
        var dtmf = new Option<string>("--dtmf") { Description = "Send these DTMF digits (0-9 * # A-D, RFC 4733) once the callee receives our audio.", HelpName = "digits" };
        var noView = new Option<bool>("--no-view") { Description = "Plain log lines instead of the live view (automatic when output is not a terminal)." };
        var command = new Command("call",
            "Call a SIP address with your microphone and speaker and show the call live: state, codec, round trip, jitter, loss, levels, echo canceller, MOS. "
            + "Keys drive the call (hang up, mute, hold, DTMF, transfer, volume); without a terminal, lines on standard input do. "
            + "--media sdes or --media rtp (with --allow-unencrypted) calls carrier trunks and PBXs without WebRTC; an unencrypted call is announced on standard error. "
            + "Exit code 0 when the call was answered, 1 when rejected or failed, 6 when nobody answered, 7 without a sound server (see --no-audio).");
        command.Arguments.Add(target);
        connection.AddTo(command);
        audio.AddTo(command);
        media.AddTo(command);
        foreach (var option in new Option[] { duration, answerTimeout, dtmf, noView })
            command.Options.Add(option);
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(host, () =>
        {
            var choice = media.Read(parse);
            var request = new CallRequest(
                parse.GetValue(target)!, audio.Read(parse, host), parse.GetValue(duration),
                parse.GetValue(answerTimeout) ?? DefaultAnswerTimeout, parse.GetValue(dtmf), !parse.GetValue(noView), choice.Profile);
            return RunAsync(host, connection.Read(parse) with { Media = choice }, request, cancellationToken);
        }));
        return command;
    }

    private sealed record CallRequest(string Target, AudioRequest Audio, TimeSpan? Duration, TimeSpan AnswerTimeout, string? Dtmf, bool Live, MediaProfile Media);

    private static async Task<int> RunAsync(CliHost host, CliSettings settings, CallRequest request, CancellationToken cancellationToken)
    {
        var target = Addresses.Parse(request.Target, "sip:bob@example.com");
        if (request.Dtmf is { } digits && !KeyMap.AreDigits(digits))
            throw new CliException(ExitCode.Usage, $"--dtmf '{Text.Escape(digits)}': only 0-9, *, # and A-D can be sent.");

        var audio = CallAudio.Plan(request.Audio);
        await using var session = await PhoneSession.StartAsync(settings, host, audio, cancellationToken, request.AnswerTimeout).ConfigureAwait(false);
        await using var controls = ControlInput.Start(host);
        var factory = session.Agent.MediaFactory;
        var monitor = new PhoneMonitor("you", factory, audio.Description, audio.UsesSoundServer);
        ExitCode result;
        await using (var view = CallViews.Create(host, request.Live && !session.Verbose, $"dialtone call {target}"))
        {
            view.ShowFooter(controls.Footer);
            using var devices = new DeviceProblems(factory).Report(monitor, view);
            using var polling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var poller = StatsPoller.RunAsync([monitor], view, polling.Token);
            try
            {
                result = await PlaceAsync(host, session.Agent, audio, target, request, monitor, view, controls, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await polling.CancelAsync().ConfigureAwait(false);
                await poller.ConfigureAwait(false);
                if (monitor.Call?.Ended is { IsCompleted: true } ended)
                    view.Event("call", $"ended: {CallOutcome.Describe(ended.Result)}");
                await monitor.SampleAsync(CancellationToken.None).ConfigureAwait(false);
                view.Update([monitor.Status]);
            }
        }
        return (int)result;
    }

    private static async Task<ExitCode> PlaceAsync(CliHost host, UserAgent agent, CallAudio audio, UriReference target, CallRequest request, CallMonitor monitor,
        ICallView view, ControlInput controls, CancellationToken cancellationToken)
    {
        var call = await agent.CallAsync(target, request.Media, cancellationToken).ConfigureAwait(false);
        monitor.Call = call;
        var progressed = false; // any provisional or final answer moved the call on from Calling
        call.StateChanged += (_, e) =>
        {
            if (e.State != CallState.Calling && e.End is null)
                progressed = true;
            if (e.End is null)
                view.Event("call", PartyStatus.Describe(e.State));
        };
        view.Event("you", $"calling {target}");

        // Keys work from the first ring: h cancels an unanswered call.
        using var talking = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var callControls = new CallControls(call, agent.MediaFactory, view);
        var controlling = callControls.RunUntilEndedAsync(controls.Reader, talking.Token);
        try
        {
            try
            {
                // The Phone layer cancels the call when --answer-timeout (its NoAnswerTimeout) runs out.
                await Task.WhenAny(call.Established, call.Ended).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The user agent's disposal (PhoneSession) cancels the call and unregisters, bounded.
                view.Event("you", "interrupted before the call was answered");
                return ExitCode.Interrupted;
            }
            if (!call.Established.IsCompletedSuccessfully)
            {
                var end = await call.Ended.ConfigureAwait(false);
                if (callControls.HungUp)
                    return ExitCode.Interrupted;
                // Failed without a word from the server (connection refused, TLS not trusted, no answer over UDP): unreachable.
                if (!progressed && end.Reason == CallEndReason.Failed && end.StatusCode is null or 408)
                    throw new CliException(ExitCode.ServerUnreachable, $"Cannot reach the SIP server {agent.Options.Server}: {end.Detail ?? end.ReasonPhrase ?? "no answer"}");
                var code = CallOutcome.Of(end);
                if (end.Reason == CallEndReason.LocalHangup)
                    view.Event("you", $"no answer within {request.AnswerTimeout.TotalSeconds:0} s; gave up");
                return code;
            }

            // Answered: the call's media exists now (CallAsync may return while its offer is still being made).
            view.Event("call", $"media: {MediaChoice.Describe(call)}");
            MediaChoice.WarnIfUnencrypted(host, call);
            using var recording = audio.RecordPeer(call);
            if (request.Duration is { } duration)
                talking.CancelAfter(duration);
            try
            {
                if (request.Dtmf is { } digits)
                    await SendDtmfAsync(call, digits.ToUpperInvariant(), view, talking.Token).ConfigureAwait(false);
                await call.Ended.WaitAsync(talking.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C: the user agent's disposal hangs up and unregisters in one bounded step.
                view.Event("you", "hanging up (Ctrl+C)");
            }
            catch (OperationCanceledException)
            {
                view.Event("you", "hanging up (--duration reached)");
                await HangupQuietlyAsync(call).ConfigureAwait(false);
            }
            // Answered is success, however it ended afterwards; the end is in the view.
            return ExitCode.Ok;
        }
        finally
        {
            await talking.CancelAsync().ConfigureAwait(false);
            await controlling.ConfigureAwait(false);
        }
    }

    /// <summary><c>--dtmf</c>: the Phone layer waits until the peer receives our audio (digits sent earlier are lost in its starting jitter buffer).</summary>
    private static async Task SendDtmfAsync(Call call, string digits, ICallView view, CancellationToken cancellationToken)
    {
        try
        {
            await call.SendDtmfAsync(digits, CallControls.DigitDuration, CallControls.DigitGap, DtmfMaxWait, cancellationToken).ConfigureAwait(false);
            view.Event("you", $"sent DTMF {digits}");
        }
        catch (Exception e) when (e is WebRtc.WebRtcException or ObjectDisposedException or InvalidOperationException or CallFailedException)
        {
            view.Event("you", $"could not send DTMF: {e.Message}");
        }
    }

    private static async Task HangupQuietlyAsync(Call call)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            await call.HangupAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or InvalidOperationException
            or Sip.Transport.SipTransportException or Sip.Transactions.SipTransactionTimeoutException)
        {
            // The call is torn down anyway when the user agent is disposed.
        }
    }
}
