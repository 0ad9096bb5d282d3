using System.Globalization;
using System.Text.Json.Nodes;
using Dialtone.Network.Tests.Lab;

namespace Dialtone.Network.Bench;

/// <summary>
/// One call that lives through <c>changes</c> network changes of the caller's home: every
/// <c>interval</c> its host moves to the other uplink (new LAN address, other NAT, other public
/// address — lab.sh move). The caller follows with the public API (--follow-network), or is left to
/// the user agent's own flow recovery.
/// Reports the media gap each change caused, as each side heard it.
/// </summary>
internal static class NetworkChangeRun
{
    public sealed record Outcome(IReadOnlyList<JsonObject> Changes, JsonObject Alice, JsonObject Bob, IReadOnlyList<double> AliceGaps, IReadOnlyList<double> BobGaps);

    public static async Task<Outcome> RunAsync(int changes, TimeSpan interval, string aliceTransport, bool follow)
    {
        var inv = CultureInfo.InvariantCulture;
        await LabScript.RunAsync("nat", "1", "cone");
        await LabScript.RunAsync("nat", "2", "cone");
        await LabScript.RunAsync("loss", "1", "0");
        await LabScript.RunAsync("loss", "2", "0");
        var talk = interval.TotalSeconds * (changes + 1);
        string[] common = ["--domain", "dialtone.test", "--ice", "stun:203.0.113.20:3478", "--talk", talk.ToString(inv), "--timeout", (talk + 120).ToString(inv)];
        using var bob = LabAgent.Start(2, [.. common, "--server", "sip:203.0.113.10:5060;transport=tcp", "--user", "bob", "--password", "bob-secret", "--say", "880", "--listen", "440"]);
        await bob.WaitForAsync("registered", TimeSpan.FromSeconds(60));
        using var alice = LabAgent.Start(1, [.. common, "--server", $"sip:203.0.113.10:5060;transport={aliceTransport}", "--user", "alice", "--password", "alice-secret",
            "--say", "440", "--listen", "880", "--target", "sip:bob@dialtone.test", "--follow-network", follow ? "true" : "false"]);
        await alice.WaitForAsync("established", TimeSpan.FromSeconds(60));
        await Task.Delay(interval);
        for (var i = 0; i < changes; i++)
        {
            await LabScript.RunAsync("move", "1");
            await Task.Delay(interval);
        }
        var within = TimeSpan.FromSeconds(talk + 60);
        var aliceResult = await alice.WaitForAsync("result", within);
        var bobResult = await bob.WaitForAsync("result", within);
        var changeEvents = alice.EventsNamed("network-change");
        return new Outcome(changeEvents, aliceResult, bobResult, Gaps(aliceResult), Gaps(bobResult));
    }

    private static List<double> Gaps(JsonObject result) =>
        (result["gaps"] as JsonArray ?? []).Select(g => (double)g!["ms"]!).ToList();
}
