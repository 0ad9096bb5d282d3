using System.Globalization;
using System.Text.Json.Nodes;
using Dialtone.Network.Bench;
using Dialtone.Network.Tests.Lab;

// Network benchmark: builds the lab (tests/infra/netlab/lab.sh, needs root), then
//   1. ICE gathering with reachable, slow/unreachable STUN/TURN servers: when Dialtone's rules let the
//      offer leave vs when gathering completed (the old "wait for complete, capped" cost), same run;
//   2. calls per topology (cone NATs + STUN; symmetric NATs + TURN/UDP; UDP blocked + TURN/TCP) at 0, 5
//      and 20 % UDP loss on both homes' routers: setup p50/p95, media-connected p50, audio continuity.
//      With --delay MS [--jitter MS]: instead of the loss rows, each topology without delay and with MS ± JITTER ms
//      added each way by home 1's routers (lab.sh delay), no loss.
//   3. with --network-changes N: one call whose caller's home changes network N times (see NetworkChangeRun).
// Usage: dotnet run -c Release --project bench/Dialtone.Network.Bench -- [--calls N] [--talk S] [--gathers N (0: none)] [--only TOPOLOGY-SUBSTRING]
//        [--delay MS [--jitter MS]] [--network-changes N [--change-sip udp|tcp|ws] [--follow auto|app|off]]
var calls = Arg("--calls", 8);
var talk = Arg("--talk", 3);
var gathers = Arg("--gathers", 5);
var networkChanges = Arg("--network-changes", 0);
var delay = Arg("--delay", 0);
var jitter = Arg("--jitter", 0);
var inv = CultureInfo.InvariantCulture;

const string Sip = "sip:203.0.113.10:5060;transport=tcp";
const string Stun = "stun:203.0.113.20:3478";
const string DeadStun = "stun:203.0.113.30:3478";
const string TurnUdp = "turn:203.0.113.20:3478?transport=udp";
const string TurnTcp = "turn:203.0.113.20:3478?transport=tcp";
const string TurnTls = "turns:203.0.113.20:5349?transport=tcp";
string[] turnAuth = ["--ice-user", "lab", "--ice-password", "lab-secret"];

await LabScript.RunAsync("up", "2");
try
{
    if (networkChanges > 0)
    {
        var transport = ArgText("--change-sip", "udp");
        var follow = ArgText("--follow", "auto");
        var run = await NetworkChangeRun.RunAsync(networkChanges, TimeSpan.FromSeconds(6), transport, follow);
        Console.WriteLine($"# Network changes: {networkChanges} moves of alice's home (new address, other NAT) during one call, 6 s apart; " +
            $"alice's SIP over {transport}, " + follow switch
            {
                "auto" => "the user agent follows (flow moved, re-REGISTER, ICE-restart re-INVITE)",
                "app" => "the application re-registers and restarts ICE on each change",
                _ => "nobody follows",
            });
        foreach (var c in run.Changes)
            Console.WriteLine($"  change {c.ToJsonString()}");
        Console.WriteLine($"  alice heard gaps per change (ms; < 250 ms counts as 0): {string.Join(" ", run.AliceGaps)}");
        Console.WriteLine($"  bob heard gaps (ms):   {string.Join(" ", run.BobGaps)}");
        Console.WriteLine($"  media gap heard by bob: p50 {Stats.Percentile(run.BobGaps, 50):F0} ms, p95 {Stats.Percentile(run.BobGaps, 95):F0} ms; " +
            $"by alice: p50 {Stats.Percentile(run.AliceGaps, 50):F0} ms, p95 {Stats.Percentile(run.AliceGaps, 95):F0} ms");
        Console.WriteLine($"  call end: alice {run.Alice["end"]}, bob {run.Bob["end"]}; heard ratio alice {run.Alice["heardRatio"]}, bob {run.Bob["heardRatio"]}");
        return 0;
    }

    if (gathers > 0)
        Console.WriteLine($"# ICE gathering (home 1 behind a cone NAT, cap 3000 ms, grace 1000 ms; {gathers} runs each; ms)");
    if (gathers > 0)
        Console.WriteLine($"{"servers",-40} {"ready p50",10} {"ready p95",10} {"complete p50",13} {"complete p95",13}  outcome, candidates");
    await LabScript.RunAsync("nat", "1", "cone");
    foreach (var (name, ice) in gathers == 0 ? [] : new (string, string[])[]
    {
        ("STUN + TURN/UDP (both answer)", ["--ice", Stun, "--ice", TurnUdp]),
        ("dead STUN + TURN/UDP", ["--ice", DeadStun, "--ice", TurnUdp]),
        ("dead STUN + TURN/TLS (untrusted)", ["--ice", DeadStun, "--ice", TurnTls]),
        ("dead STUN only", ["--ice", DeadStun]),
        ("no servers", []),
    })
    {
        var ready = new List<double>();
        var complete = new List<double>();
        JsonObject? last = null;
        for (var i = 0; i < gathers; i++)
        {
            using var agent = LabAgent.Start(1, ["--server", Sip, "--user", "alice", "--password", "alice-secret", "--gather-only", "true", .. ice, .. turnAuth]);
            last = await agent.WaitForAsync("gathered", TimeSpan.FromSeconds(60));
            ready.Add((double)last["readyMs"]!);
            complete.Add((double)last["completeMs"]!);
        }
        var kinds = string.Join(",", ((JsonArray)last!["candidates"]!).Select(c => (string?)c!["type"]).Distinct());
        Console.WriteLine($"{name,-40} {Stats.Percentile(ready, 50),10:F0} {Stats.Percentile(ready, 95),10:F0} {Stats.Percentile(complete, 50),13:F0} {Stats.Percentile(complete, 95),13:F0}  {last["outcome"]}, {kinds}");
    }

    Console.WriteLine();
    Console.WriteLine($"# Calls alice (home 1) -> bob (home 2) through Kamailio over TCP; {calls} calls per row, {talk} s of tone each way; ms");
    Console.WriteLine($"{"topology",-34} {"loss",5} {"delay",9} {"setup p50",10} {"setup p95",10} {"media p50",10} {"tone p50",9} {"heard mean",11} {"heard min",10} {"max gap",8} {"rtt p50",8} {"failed",7}  pair (alice local/remote)");
    var topologies = new (string Name, string Nat1, string Nat2, string[] Alice, string[] Bob)[]
    {
        ("cone NATs, STUN (no TURN)", "cone", "cone", ["--ice", Stun], ["--ice", Stun]),
        ("symmetric NATs, TURN/UDP", "symmetric", "symmetric", ["--ice", Stun, "--ice", TurnUdp, .. turnAuth], ["--ice", Stun, "--ice", TurnUdp, .. turnAuth]),
        ("UDP blocked, TURN/TCP", "udp-blocked", "cone", ["--ice", TurnTcp, .. turnAuth], ["--ice", Stun]),
        ("cone NATs, dead STUN + TURN/UDP", "cone", "cone", ["--ice", DeadStun, "--ice", TurnUdp, .. turnAuth], ["--ice", DeadStun, "--ice", TurnUdp, .. turnAuth]),
    };
    var only = ArgText("--only", "");
    foreach (var t in topologies.Where(t => t.Name.Contains(only, StringComparison.Ordinal)))
    {
        var rows = delay > 0
            ? new[] { (Loss: 0, Delay: 0), (Loss: 0, Delay: delay) }
            : (t.Name.Contains("dead") ? new[] { 0 } : new[] { 0, 5, 20 }).Select(l => (Loss: l, Delay: 0)).ToArray();
        foreach (var (loss, rowDelay) in rows)
        {
            await LabScript.RunAsync("nat", "1", t.Nat1);
            await LabScript.RunAsync("nat", "2", t.Nat2);
            await LabScript.RunAsync("loss", "1", loss.ToString(inv));
            await LabScript.RunAsync("loss", "2", loss.ToString(inv));
            await LabScript.RunAsync("delay", "1", rowDelay.ToString(inv), (rowDelay == 0 ? 0 : jitter).ToString(inv));
            var (alice, bob) = await RunCallsAsync(t.Alice, t.Bob);
            var ok = alice.Where(r => r["failed"] is null).ToList();
            var setup = ok.Select(r => (double)r["setupMs"]!).ToList();
            var media = ok.Select(r => (double)r["mediaMs"]!).ToList();
            var tone = ok.Select(r => (double)r["firstToneMs"]!).ToList();
            var heard = ok.Concat(bob.Where(r => r["failed"] is null)).Select(r => (double)r["heardRatio"]!).ToList();
            var gap = ok.Concat(bob).Select(r => (double?)r["longestGapMs"] ?? 0).DefaultIfEmpty(0).Max();
            var rtt = ok.Select(r => (double?)r["pair"]?["rttMs"]).OfType<double>().ToList();
            var delayText = rowDelay == 0 ? "0" : $"{rowDelay}±{jitter}";
            var pairs = ok.Select(r => $"{r["pair"]?["local"]?["type"]}/{r["pair"]?["remote"]?["type"]}" +
                    (r["pair"]?["local"]?["relayProtocol"] is { } rp ? $"({rp})" : ""))
                .GroupBy(p => p).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} x{g.Count()}");
            Console.WriteLine($"{t.Name,-34} {loss,4}% {delayText,9} {Stats.Percentile(setup, 50),10:F0} {Stats.Percentile(setup, 95),10:F0} {Stats.Percentile(media, 50),10:F0} {Stats.Percentile(tone, 50),9:F0} {(heard.Count == 0 ? 0 : heard.Average()),11:F3} {(heard.Count == 0 ? 0 : heard.Min()),10:F3} {gap,8:F0} {(rtt.Count == 0 ? double.NaN : Stats.Percentile(rtt, 50)),8:F0} {alice.Count - ok.Count,7}  {string.Join(", ", pairs)}");
        }
    }
    await LabScript.RunAsync("loss", "1", "0");
    await LabScript.RunAsync("loss", "2", "0");
    await LabScript.RunAsync("delay", "1", "0");
}
finally
{
    await LabScript.RunAsync("down");
}
return 0;

async Task<(IReadOnlyList<JsonObject> Alice, IReadOnlyList<JsonObject> Bob)> RunCallsAsync(string[] aliceIce, string[] bobIce)
{
    string[] common = ["--domain", "dialtone.test", "--server", Sip, "--talk", talk.ToString(inv), "--calls", calls.ToString(inv), "--timeout", (calls * 60).ToString(inv)];
    using var bob = LabAgent.Start(2, [.. common, "--user", "bob", "--password", "bob-secret", "--say", "880", "--listen", "440", .. bobIce]);
    await bob.WaitForAsync("registered", TimeSpan.FromSeconds(60));
    using var alice = LabAgent.Start(1, [.. common, "--user", "alice", "--password", "alice-secret", "--say", "440", "--listen", "880",
        "--target", "sip:bob@dialtone.test", .. aliceIce]);
    var within = TimeSpan.FromSeconds(calls * 60);
    var a = await alice.WaitForAllAsync("result", calls, within);
    var b = await bob.WaitForAllAsync("result", a.Count(r => r["failed"] is null), within);
    return (a, b);
}

string ArgText(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
