using System.Diagnostics;
using Dialtone.Phone;
using Dialtone.Sip.Message;

namespace Dialtone.Load.Bench;

/// <summary>
/// The load: a second Dialtone process (alice) calling the process under test (bob) through Kamailio.
/// Driven over stdin/stdout, one command per line, one result line each:
/// <c>messages N C</c> → <c>OK n seconds</c>; <c>rate N C</c> → <c>OK n failed seconds</c> (calls set up,
/// established and hung up, C at a time); <c>hold K</c> → <c>OK k</c> once K calls are established;
/// <c>verify seconds</c> → <c>OK flowing k ended n reasons</c> (calls whose packets grew both ways by 80 % of 50/s and, per-call,
/// that hear bob's tone; calls that ended);
/// <c>release</c> → <c>OK</c>.
/// </summary>
internal static class LoadGenerator
{
    private const int HoldBatch = 4;

    /// <param name="lean">The lean engine with one engine thread (Opus at 16 kHz, one shared media thread), as bob may run.</param>
    public static async Task<int> RunAsync(string wssUri, string caPemPath, bool perCall, bool lean)
    {
        await using var alice = lean
            ? await Parties.StartAsync(wssUri, caPemPath, "alice", perCall, opusSampleRate: 16000, mediaThreads: 1, engineThreads: 1)
            : await Parties.StartAsync(wssUri, caPemPath, "alice", perCall);
        var tone = perCall ? CallTones.WriteToneWav(CallTones.AliceHz) : null;
        async Task<Call> CallAsync(UriReference target)
        {
            var call = await alice.CallAsync(target);
            if (tone is not null)
                CallTones.Attach(call, tone);
            return call;
        }
        var target = UriReference.Parse($"sip:bob@{Parties.Domain}");
        var held = new List<Call>();
        Console.WriteLine("READY");
        while (Console.ReadLine() is { } line)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            try
            {
                switch (words[0])
                {
                    case "messages":
                        Reply(await MessagesAsync(alice, int.Parse(words[1]), int.Parse(words[2])));
                        break;
                    case "rate":
                        Reply(await RateAsync(CallAsync, target, int.Parse(words[1]), int.Parse(words[2])));
                        break;
                    case "hold":
                        // A few at a time, each batch's media connected before the next: the figure is calls held, not a set-up burst.
                        for (var left = int.Parse(words[1]); left > 0; left -= HoldBatch)
                        {
                            var batch = await Task.WhenAll(Enumerable.Range(0, Math.Min(HoldBatch, left)).Select(_ => CallAsync(target)));
                            held.AddRange(batch);
                            await Task.WhenAll(batch.Select(c => c.MediaConnected)).WaitAsync(TimeSpan.FromSeconds(60));
                        }
                        Reply($"OK {held.Count}");
                        break;
                    case "verify":
                        Reply($"OK flowing {await VerifyAsync(held, TimeSpan.FromSeconds(double.Parse(words[1])), perCall)}");
                        break;
                    case "release":
                        await Task.WhenAll(held.Select(c => c.HangupAsync())).WaitAsync(TimeSpan.FromSeconds(30));
                        held.Clear();
                        Reply("OK");
                        break;
                    default:
                        Reply($"ERROR unknown command {words[0]}");
                        break;
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Reply($"ERROR {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            }
        }
        return 0;
    }

    private static void Reply(string line)
    {
        Console.WriteLine(line);
        Console.Out.Flush();
    }

    /// <summary>The signalling floor: MESSAGE round trips over the same WSS path (bob answers 200).</summary>
    private static async Task<string> MessagesAsync(UserAgent alice, int count, int concurrency)
    {
        var to = SipUri.Parse($"sip:bob@{Parties.Domain}");
        var clock = Stopwatch.StartNew();
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count)
                await alice.SendMessageAsync(to, "load");
        }));
        return $"OK {count} {clock.Elapsed.TotalSeconds:F3}";
    }

    /// <summary>Calls set up (INVITE, digest 407, 200, ACK, media connected) and torn down (BYE), <paramref name="concurrency"/> at a time.</summary>
    private static async Task<string> RateAsync(Func<UriReference, Task<Call>> callAsync, UriReference target, int count, int concurrency)
    {
        var clock = Stopwatch.StartNew();
        var next = 0;
        var failed = 0;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                try
                {
                    var call = await callAsync(target);
                    await call.Established.WaitAsync(TimeSpan.FromSeconds(30));
                    // The whole set-up: ICE connected and DTLS done (a BYE right after the ACK would often end the
                    // call before its handshakes, leaving their cost out of the figure).
                    await call.MediaConnected.WaitAsync(TimeSpan.FromSeconds(30));
                    await call.HangupAsync().WaitAsync(TimeSpan.FromSeconds(30));
                }
                catch (Exception e) when (e is CallFailedException or TimeoutException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }));
        return $"OK {count - failed} {failed} {clock.Elapsed.TotalSeconds:F3}";
    }

    /// <summary>
    /// Calls whose audio packets grew both ways by 80 % of 50/s over the window and — with per-call audio —
    /// whose sink holds bob's tone; a call that ended counts as not flowing.
    /// </summary>
    private static async Task<string> VerifyAsync(List<Call> calls, TimeSpan window, bool perCall)
    {
        var before = await Task.WhenAll(calls.Select(PacketsOrNoneAsync));
        await Task.Delay(window);
        var after = await Task.WhenAll(calls.Select(PacketsOrNoneAsync));
        var expected = (long)(window.TotalSeconds * 50 * 0.8);
        var flowing = calls.Select((c, i) => before[i] is { } b && after[i] is { } a && a.Sent - b.Sent >= expected && a.Received - b.Received >= expected
            && (!perCall || CallTones.Hears(c, CallTones.BobHz))).Count(ok => ok);
        var ended = calls.Where(c => c.Ended.IsCompletedSuccessfully).Select(c => c.Ended.Result.ToString().Replace(' ', '_')).ToList();
        return $"{flowing} ended {ended.Count} {string.Join(',', ended.Distinct())}";
    }

    private static async Task<(long Sent, long Received)?> PacketsOrNoneAsync(Call call)
    {
        try
        {
            return await Parties.PacketsAsync(call);
        }
        catch (ObjectDisposedException)
        {
            return null; // the call ended
        }
    }
}
