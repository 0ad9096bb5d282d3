using System.Diagnostics;
using Dialtone.Phone;
using Dialtone.Sip.Message;

namespace Dialtone.Load.Bench;

/// <summary>
/// The load: a second Dialtone process (alice) calling the process under test (bob) through Kamailio.
/// Driven over stdin/stdout, one command per line, one result line each:
/// <c>messages N C</c> → <c>OK n seconds</c>; <c>rate N C</c> → <c>OK n failed seconds</c> (calls set up,
/// established and hung up, C at a time); <c>hold K</c> → <c>OK k</c> once K calls are established;
/// <c>verify seconds</c> → <c>OK flowing k</c> (calls whose packets grew both ways by 80 % of 50/s);
/// <c>release</c> → <c>OK</c>.
/// </summary>
internal static class LoadGenerator
{
    public static async Task<int> RunAsync(string wssUri, string caPemPath)
    {
        await using var alice = await Parties.StartAsync(wssUri, caPemPath, "alice");
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
                        Reply(await RateAsync(alice, target, int.Parse(words[1]), int.Parse(words[2])));
                        break;
                    case "hold":
                        var more = await Task.WhenAll(Enumerable.Range(0, int.Parse(words[1])).Select(_ => alice.CallAsync(target)));
                        held.AddRange(more);
                        await Task.WhenAll(more.Select(c => c.Established)).WaitAsync(TimeSpan.FromSeconds(60));
                        Reply($"OK {held.Count}");
                        break;
                    case "verify":
                        Reply($"OK flowing {await VerifyAsync(held, TimeSpan.FromSeconds(double.Parse(words[1])))}");
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
    private static async Task<string> RateAsync(UserAgent alice, UriReference target, int count, int concurrency)
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
                    var call = await alice.CallAsync(target);
                    await call.Established.WaitAsync(TimeSpan.FromSeconds(30));
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

    private static async Task<int> VerifyAsync(List<Call> calls, TimeSpan window)
    {
        var before = await Task.WhenAll(calls.Select(Parties.PacketsAsync));
        await Task.Delay(window);
        var after = await Task.WhenAll(calls.Select(Parties.PacketsAsync));
        var expected = (long)(window.TotalSeconds * 50 * 0.8);
        return calls.Select((_, i) => after[i].Sent - before[i].Sent >= expected && after[i].Received - before[i].Received >= expected).Count(ok => ok);
    }
}
