// A call bot on Dialtone's public API: registers, then for every call (several at once) answers,
// plays a prompt, collects DTMF digits until '#' (or a count, or a timeout), records what the caller
// says, and hangs up. No sound card and no sound server: each call has its own audio.
//
//   dialtone-bot --server ws://127.0.0.1:5060/ws --user sip:bot@example.com --prompt welcome.wav --record calls/
//
// Optional: --password-env NAME (digest password from that variable), --digits N (stop after N digits),
// --digit-timeout SECONDS (default 10), --calls N (quit after N calls, e.g. in a test).

using System.Collections.Concurrent;
using System.Text;
using Dialtone.Phone;
using Dialtone.Phone.Media;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;
using Dialtone.WebRtc;

namespace Dialtone.Samples.Bot;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        BotOptions options;
        try
        {
            options = BotOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"dialtone-bot: {e.Message}");
            Console.Error.WriteLine("usage: dialtone-bot --server URI --user SIP-URI --prompt FILE.wav --record FOLDER [--password-env NAME] [--digits N] [--digit-timeout S] [--calls N]");
            return 2;
        }

        using var quit = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            quit.Cancel();
        };

        await using var agent = await UserAgent.StartAsync(new UserAgentOptions
        {
            Server = options.Server,
            AddressOfRecord = SipUri.Parse(options.User),
            Credentials = options.Password is { } password ? new SipCredentials(SipUri.Parse(options.User).User!, password) : null,
            // Per-call audio: no device; each call gets its own source and sinks.
            Audio = new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.PerCall },
            // 16 kHz mono PCM, echo cancellation and the rest off (a bot hears no echo of itself).
            Media = new CallMediaOptions { CallAudio = new CallAudioSourceOptions { SampleRate = 16000 } },
        }, quit.Token);
        await agent.RegisterAsync(quit.Token);
        Console.WriteLine($"registered as {options.User}");

        var calls = new ConcurrentBag<Task>();
        var taken = 0;
        try
        {
            await foreach (var call in agent.IncomingCalls.ReadAllAsync(quit.Token))
            {
                calls.Add(HandleAsync(call, options, quit.Token));
                if (options.Calls is { } limit && ++taken >= limit)
                    break;
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(calls);
        Console.WriteLine("done");
        return 0;
    }

    private static async Task HandleAsync(Call call, BotOptions options, CancellationToken cancellationToken)
    {
        var id = call.CallId;
        try
        {
            // Collect digits from the start: RFC 4733 events in the media and SIP INFO alike, in order.
            var digits = System.Threading.Channels.Channel.CreateUnbounded<char>();
            call.DtmfReceived += (_, e) => digits.Writer.TryWrite(e.Digit);

            await call.AnswerAsync(cancellationToken);
            Console.WriteLine($"call {id}: answered {call.RemoteIdentity}");
            var recordingPath = Path.Combine(options.RecordFolder, $"{Safe(id)}.wav");
            using (var recording = call.Audio.Record(recordingPath))
            {
                await call.MediaConnected.WaitAsync(cancellationToken);
                await call.Audio.PlayWavAsync(options.Prompt, cancellationToken);
                Console.WriteLine($"call {id}: prompt played");

                var collected = await CollectAsync(digits.Reader, call, options, cancellationToken);
                Console.WriteLine($"call {id}: digits {collected}");
            } // the recording's file is complete here
            Console.WriteLine($"call {id}: recorded {recordingPath}");
            await call.HangupAsync(cancellationToken);
            Console.WriteLine($"call {id}: hung up");
        }
        catch (CallFailedException e)
        {
            Console.WriteLine($"call {id}: ended early ({e.End.Reason})");
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine($"call {id}: stopping");
        }
        finally
        {
            await call.DisposeAsync();
        }
    }

    /// <summary>Digits until '#', <see cref="BotOptions.Digits"/> of them, a pause of <see cref="BotOptions.DigitTimeout"/>, or the caller hanging up.</summary>
    private static async Task<string> CollectAsync(System.Threading.Channels.ChannelReader<char> digits, Call call, BotOptions options, CancellationToken cancellationToken)
    {
        var collected = new StringBuilder();
        while (options.Digits is not { } n || collected.Length < n)
        {
            using var pause = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            pause.CancelAfter(options.DigitTimeout);
            var next = digits.ReadAsync(pause.Token).AsTask();
            if (await Task.WhenAny(next, call.Ended) != next)
                break;
            try
            {
                var digit = await next;
                if (digit == '#')
                    break;
                collected.Append(digit);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }
        return collected.ToString();
    }

    private static string Safe(string callId) => string.Concat(callId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
}
