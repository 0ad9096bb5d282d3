using System.CommandLine;
using Dialtone.Cli.Audio;
using Dialtone.Cli.Configuration;
using Dialtone.Cli.Views;
using Dialtone.Phone;
using Dialtone.Sip.Message;
using Dialtone.WebRtc;

namespace Dialtone.Cli.Commands;

/// <summary><c>dialtone call URI</c>: places one call, shows it live, and exits with how it went.</summary>
internal static class CallCommand
{
    private static readonly TimeSpan DefaultAnswerTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan MediaConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ReceiverReportCap = TimeSpan.FromSeconds(3);

    public const string Examples = """
        Examples:
          dialtone call sip:bob@example.com -s wss://sip.example.com/ws -u sip:alice@example.com
          dialtone call sip:ivr@example.com -c alice.json --play hello.wav --record reply.wav --dtmf 12# --duration 20s
          dialtone call sip:bob@example.com -c alice.json --stun stun:stun.example.com:3478 --answer-timeout 30s
        """;

    public static Command Create(CliHost host)
    {
        var connection = new ConnectionOptions();
        var target = new Argument<string>("uri") { Description = "Whom to call, e.g. sip:bob@example.com." };
        var play = new Option<string>("--play") { Description = "Play this WAV file (16-bit PCM) as your voice.", HelpName = "file.wav" };
        var record = new Option<string>("--record") { Description = "Record what you hear to this WAV file.", HelpName = "file.wav" };
        var duration = Durations.Option("--duration", "Hang up this long after the call is answered (e.g. 30s, 2m). Without it the call lasts until either side hangs up or Ctrl+C.");
        var answerTimeout = Durations.Option("--answer-timeout", "Give up if nobody answers within this time (default 60s); exit code 6.");
        var dtmf = new Option<string>("--dtmf") { Description = "Send these DTMF digits (0-9 * # A-D, RFC 4733) once the call is answered.", HelpName = "digits" };
        var noView = new Option<bool>("--no-view") { Description = "Plain log lines instead of the live view (automatic when output is not a terminal)." };
        var command = new Command("call",
            "Call a SIP address and show the call live: state, codec, round trip, jitter, loss, audio level and a MOS estimate. "
            + "Exit code 0 when the call was answered, 1 when rejected or failed, 6 when nobody answered.");
        command.Arguments.Add(target);
        connection.AddTo(command);
        foreach (var option in new Option[] { play, record, duration, answerTimeout, dtmf, noView })
            command.Options.Add(option);
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(host, () =>
        {
            var request = new CallRequest(
                parse.GetValue(target)!, parse.GetValue(play), parse.GetValue(record), parse.GetValue(duration),
                parse.GetValue(answerTimeout) ?? DefaultAnswerTimeout, parse.GetValue(dtmf), !parse.GetValue(noView));
            return RunAsync(host, connection.Read(parse), request, cancellationToken);
        }));
        return command;
    }

    private sealed record CallRequest(string Target, string? Play, string? Record, TimeSpan? Duration, TimeSpan AnswerTimeout, string? Dtmf, bool Live);

    private static async Task<int> RunAsync(CliHost host, CliSettings settings, CallRequest request, CancellationToken cancellationToken)
    {
        UriReference target;
        try
        {
            target = UriReference.Parse(request.Target);
        }
        catch (SipParseException e)
        {
            throw new CliException(ExitCode.Usage, $"'{request.Target}' is not a SIP address like sip:bob@example.com ({e.Message}).", e);
        }
        if (request.Dtmf is { } digits && digits.Any(c => !"0123456789*#ABCDabcd".Contains(c)))
            throw new CliException(ExitCode.Usage, $"--dtmf '{digits}': only 0-9, *, # and A-D can be sent.");

        await using var session = await PhoneSession.StartAsync(settings, host, CallAudio.Plan(request.Play, request.Record), cancellationToken).ConfigureAwait(false);
        var monitor = new CallMonitor("you");
        ExitCode result;
        await using (var view = CallViews.Create(host, request.Live && !session.Verbose, $"dialtone call {request.Target}"))
        {
            using var polling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var poller = StatsPoller.RunAsync([monitor], view, polling.Token);
            try
            {
                result = await PlaceAsync(session.Agent, target, request, monitor, view, cancellationToken).ConfigureAwait(false);
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

    private static async Task<ExitCode> PlaceAsync(UserAgent agent, UriReference target, CallRequest request, CallMonitor monitor, ICallView view, CancellationToken cancellationToken)
    {
        var call = await agent.CallAsync(target, cancellationToken).ConfigureAwait(false);
        monitor.Call = call;
        call.StateChanged += (_, e) =>
        {
            if (e.End is null)
                view.Event("call", PartyStatus.Describe(e.State));
        };
        view.Event("you", $"calling {target}");

        using (var ringing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            ringing.CancelAfter(request.AnswerTimeout);
            try
            {
                await Task.WhenAny(call.Established, call.Ended).WaitAsync(ringing.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await HangupQuietlyAsync(call).ConfigureAwait(false);
                if (cancellationToken.IsCancellationRequested)
                {
                    view.Event("you", "interrupted before the call was answered");
                    return ExitCode.Interrupted;
                }
                view.Event("you", $"no answer within {request.AnswerTimeout.TotalSeconds:0} s; gave up");
                return ExitCode.NoAnswer;
            }
        }
        if (!call.Established.IsCompletedSuccessfully)
            return CallOutcome.Of(await call.Ended.ConfigureAwait(false));

        using (var talking = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            if (request.Duration is { } duration)
                talking.CancelAfter(duration);
            try
            {
                if (request.Dtmf is { } digits)
                    await SendDtmfAsync(call, digits.ToUpperInvariant(), view, talking.Token).ConfigureAwait(false);
                await call.Ended.WaitAsync(talking.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                view.Event("you", cancellationToken.IsCancellationRequested ? "hanging up (Ctrl+C)" : "hanging up (--duration reached)");
                await HangupQuietlyAsync(call).ConfigureAwait(false);
            }
        }
        // Answered is success, however it ended afterwards; the end is in the view.
        return ExitCode.Ok;
    }

    /// <summary>
    /// Sends the digits once the peer is receiving our audio. A call is established when the SIP
    /// answer arrives, but telephone-events can only go out after ICE and DTLS have finished, and
    /// digits sent in the first moments of media are lost while the peer's jitter buffer starts
    /// (measured: the first two of "12#" vanished). The peer's first RTCP receiver report says it
    /// is receiving; a cap keeps a peer that sends none from holding the digits back for long.
    /// </summary>
    private static async Task SendDtmfAsync(Call call, string digits, ICallView view, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (call.State is CallState.Established or CallState.OnHold
            && call.PeerConnection.ConnectionState != PeerConnectionState.Connected && waited.Elapsed < MediaConnectTimeout)
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        var connected = waited.Elapsed;
        while (call.State is CallState.Established or CallState.OnHold && waited.Elapsed - connected < ReceiverReportCap
            && !(await call.GetStatsAsync(cancellationToken).ConfigureAwait(false)).RemoteInboundRtp.Any())
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        try
        {
            call.SendDtmf(digits);
            view.Event("you", $"sent DTMF {digits}");
        }
        catch (Exception e) when (e is WebRtcException or ObjectDisposedException or InvalidOperationException)
        {
            view.Event("you", $"could not send DTMF: {e.Message}");
        }
    }

    private static async Task HangupQuietlyAsync(Call call)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await call.HangupAsync(timeout.Token).ConfigureAwait(false);
            await call.Ended.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or InvalidOperationException
            or Sip.Transport.SipTransportException or Sip.Transactions.SipTransactionTimeoutException)
        {
            // The call is being torn down anyway when the user agent is disposed.
        }
    }
}
