using System.Globalization;
using System.Text.Json.Nodes;
using Dialtone.Network.Tests.Lab;

namespace Dialtone.Network.Bench;

/// <summary>
/// One call that lives through <c>changes</c> network changes of the caller's home: every
/// <c>interval</c> its host moves to the other uplink (new LAN address, other NAT, other public
/// address — lab.sh move). The caller's user agent follows by itself (auto: flow moved, re-REGISTER,
/// ICE-restart re-INVITE), or the application does it with the public API (app), or nobody (off).
/// Reports the media gap each change caused, as each side heard it.
/// </summary>
internal static class NetworkChangeRun
{
    public sealed record Outcome(IReadOnlyList<JsonObject> Changes, JsonObject Alice, JsonObject Bob, IReadOnlyList<double> AliceGaps, IReadOnlyList<double> BobGaps);

    public static async Task<Outcome> RunAsync(int changes, TimeSpan interval, string aliceTransport, string follow)
    {
        var inv = CultureInfo.InvariantCulture;
        await LabScript.RunAsync("nat", "1", "cone");
        await LabScript.RunAsync("nat", "2", "cone");
        await LabScript.RunAsync("loss", "1", "0");
        await LabScript.RunAsync("loss", "2", "0");
        var talk = interval.TotalSeconds * (changes + 1);
        string[] common = ["--domain", "dialtone.test", "--ice", "stun:203.0.113.20:3478", "--talk", talk.ToString(inv), "--timeout", (talk + 120).ToString(inv)];
        using var bob = LabAgent.Start(2, [.. common, "--server", "sip:203.0.113.10:5060;transport=tcp", "--user", "bob", "--password", "bob-secret", "--say", "880", "--listen", "440", .. LogFile("bob")]);
        await bob.WaitForAsync("registered", TimeSpan.FromSeconds(60));
        using var alice = LabAgent.Start(1, [.. common, "--server", aliceTransport == "ws" ? "ws://203.0.113.10:8080/" : $"sip:203.0.113.10:5060;transport={aliceTransport}", "--user", "alice", "--password", "alice-secret",
            "--say", "440", "--listen", "880", "--target", "sip:bob@dialtone.test", "--follow-network", follow, .. LogFile("alice")]);
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
        var changeEvents = alice.EventsNamed("network-change").Concat(alice.EventsNamed("registration")).Concat(alice.EventsNamed("ice"))
            .Concat(alice.EventsNamed("gathering")).OrderBy(e => (long?)e["atMs"] ?? 0).ToList();
        return new Outcome(changeEvents, aliceResult, bobResult, PerChange(aliceResult, changes), PerChange(bobResult, changes));
    }

    /// <summary>NETBENCH_LOG_DIR=dir: each agent writes its user agent's log there.</summary>
    private static string[] LogFile(string who) =>
        Environment.GetEnvironmentVariable("NETBENCH_LOG_DIR") is { Length: > 0 } dir ? ["--log-file", Path.Combine(dir, who + ".log")] : [];

    /// <summary>
    /// The media gap of each change: the agents record stretches of ≥ 250 ms without the tone; a
    /// change that caused none counts as 0 (so the percentiles are over all changes, not only the bad ones).
    /// </summary>
    private static List<double> PerChange(JsonObject result, int changes)
    {
        var gaps = (result["gaps"] as JsonArray ?? []).Select(g => (double)g!["ms"]!).ToList();
        while (gaps.Count < changes)
            gaps.Add(0);
        return gaps;
    }
}
