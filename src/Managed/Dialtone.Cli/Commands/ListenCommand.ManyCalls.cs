using System.Collections.Concurrent;
using Dialtone.Cli.Audio;
using Dialtone.Cli.Configuration;
using Dialtone.Cli.Views;
using Dialtone.Phone;
using Spectre.Console;

namespace Dialtone.Cli.Commands;

// listen --max-calls N: a many-call server. No keys and no live view — a log line per event.
internal static partial class ListenCommand
{
    /// <summary>The most --max-calls takes: far above what one process carries with audio (docs/bots.md), but a bound.</summary>
    public const int MaxCallsLimit = 1000;

    private static async Task<int> RunManyAsync(CliHost host, CliSettings settings, AudioRequest audioRequest, int maxCalls, bool lean, CancellationToken cancellationToken)
    {
        if (maxCalls is < 1 or > MaxCallsLimit)
            throw new CliException(ExitCode.Usage, $"--max-calls takes 1 to {MaxCallsLimit} calls, not {maxCalls}.");
        var plan = PerCallAudioPlan.Plan(audioRequest);
        await using var session = await PhoneSession.StartAsync(settings, host, CallAudio.PerCall(plan, maxCalls, lean), cancellationToken).ConfigureAwait(false);
        var log = new Log(host);
        var handlers = new ConcurrentDictionary<int, Task>();
        var active = 0;
        var numbered = 0;
        session.Agent.IncomingCall += (_, e) =>
        {
            var caller = Text.Escape(Format.Who(e.Call.RemoteIdentity));
            if (Interlocked.Increment(ref active) > maxCalls)
            {
                Interlocked.Decrement(ref active);
                log.Write($"busy: {caller} answered 486 Busy Here ({maxCalls} calls active)");
                _ = RejectQuietlyAsync(e.Call, 486);
                return;
            }
            var number = Interlocked.Increment(ref numbered);
            handlers[number] = TakeOneOfManyAsync(e.Call, number, caller, plan, log, cancellationToken)
                .ContinueWith(t =>
                {
                    if (t.Exception is { } failure)
                        log.Write($"call {number}: failed: {failure.InnerException?.Message}");
                    Interlocked.Decrement(ref active);
                    handlers.TryRemove(number, out Task? _);
                }, TaskScheduler.Default);
        };
        await session.RegisterAsync(cancellationToken).ConfigureAwait(false);
        session.ReportRegistrationChanges(log.Write);
        log.Write($"Registered as {session.Agent.Identity.Uri}; answering up to {maxCalls} calls at once, {session.Audio.Description} (Ctrl+C to quit).");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        var open = handlers.Values.ToArray();
        log.Write(open.Length == 0 ? "Unregistering." : $"Hanging up {open.Length} call(s) and unregistering.");
        // Each handler ends its call (Ctrl+C cancels it) and completes its recording; the session's disposal then unregisters.
        await Task.WhenAll(open).WaitAsync(UserAgent.ShutdownTimeout + TimeSpan.FromSeconds(3), CancellationToken.None)
            .ContinueWith(static t => _ = t.Exception, TaskScheduler.Default).ConfigureAwait(false);
        return (int)ExitCode.Ok;
    }

    /// <summary>One call of many: answer, play and record it with its own audio, log its digits, until it ends (or Ctrl+C).</summary>
    private static async Task TakeOneOfManyAsync(Call call, int number, string caller, PerCallAudioPlan plan, Log log, CancellationToken cancellationToken)
    {
        log.Write($"call {number}: incoming from {caller}");
        call.DtmfReceived += (_, e) => log.Write($"call {number}: DTMF {e.Digit} ({(e.Transport == DtmfTransport.SipInfo ? "SIP INFO" : "RFC 4733")})");
        WebRtc.CallAudioSink? recording = null;
        try
        {
            // The call's track exists from its offer on: record from the first packet.
            recording = plan.Record(call, number);
            await call.AnswerAsync(cancellationToken).ConfigureAwait(false);
            log.Write($"call {number}: answered" + (recording is null ? "" : $", recording to {Path.GetFileName(recording.WavOutputPath)}"));
            if (plan.Play is { } play)
            {
                // From its start once the caller can hear it, then over again until the call ends.
                await call.MediaConnected.WaitAsync(cancellationToken).ConfigureAwait(false);
                call.Audio.PlayWav(play, loop: true);
            }
            var end = await call.Ended.WaitAsync(cancellationToken).ConfigureAwait(false);
            log.Write($"call {number}: ended: {CallOutcome.Describe(end)}");
        }
        catch (CallFailedException e)
        {
            log.Write($"call {number}: could not answer: {CallOutcome.Describe(e.End)}");
        }
        catch (InvalidOperationException e)
        {
            // The caller hung up between the ring and the answer.
            log.Write($"call {number}: could not answer: {e.Message}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            log.Write($"call {number}: hanging up (Ctrl+C)");
            await call.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebRtc.WebRtcException or IOException)
        {
            // One call's audio failing (e.g. the disk filled up) must not end the others.
            log.Write($"call {number}: audio failed: {e.Message}; hanging up");
            await call.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            recording?.Dispose(); // completes the file
        }
    }

    /// <summary>Log lines from many calls at once, each whole.</summary>
    private sealed class Log(CliHost host)
    {
        private readonly Lock _lock = new();

        public void Write(string line)
        {
            lock (_lock)
                host.Console.WriteLine(line);
        }
    }
}
