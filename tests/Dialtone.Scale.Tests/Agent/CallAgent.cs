using Dialtone.Phone;
using Dialtone.Sip.Message;
using Dialtone.WebRtc;

namespace Dialtone.Scale.Agent;

/// <summary>
/// A Dialtone node behind a dispatcher: one <see cref="UserAgent"/> that answers every call it is
/// sent, with only the public API. It does not register — the dispatcher knows its address — and
/// reports on stdout, one line each: <c>READY host:port</c> (its SIP address), <c>CALL call-id</c>,
/// <c>ENDED call-id reason</c>. It exits when its stdin closes (its parent is gone).
/// </summary>
public static class CallAgent
{
    public const string Domain = "dialtone.test";

    /// <summary><c>agent &lt;server SIP URI&gt; [user]</c>, e.g. <c>agent "sip:127.0.0.1:5060;transport=udp" bot</c>.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: agent <server SIP URI> [user]");
            return 2;
        }
        var user = args.Length > 1 ? args[1] : "bot";
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        _ = Task.Run(() =>
        {
            while (Console.In.ReadLine() is not null)
            {
            }
            stop.Cancel();
        });

        await using var agent = await UserAgent.StartAsync(new UserAgentOptions
        {
            Server = args[0],
            AddressOfRecord = SipUri.Parse($"sip:{user}@{Domain}"),
            // Bots: no sound card, no echo canceller on a virtual device nobody listens to.
            Audio = new PeerConnectionFactoryOptions
            {
                AudioDevice = AudioDeviceKind.Virtual,
                AudioProcessing = AudioProcessingOptions.Disabled,
            },
        }, stop.Token);
        var contact = (SipUri)agent.Contact.Uri;
        Say($"READY {contact.Host}:{contact.Port}");
        try
        {
            await foreach (var call in agent.IncomingCalls.ReadAllAsync(stop.Token))
                _ = AnswerAsync(call);
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }

    private static async Task AnswerAsync(Call call)
    {
        Say($"CALL {call.CallId}");
        try
        {
            await call.AnswerAsync();
            var end = await call.Ended;
            Say($"ENDED {call.CallId} {end.Reason}");
        }
        catch (Exception e) when (e is CallFailedException or OperationCanceledException)
        {
            Say($"ENDED {call.CallId} {e.GetType().Name}");
        }
    }

    private static void Say(string line)
    {
        lock (Console.Out)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }
}
