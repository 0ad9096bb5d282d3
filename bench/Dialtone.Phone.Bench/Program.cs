using Dialtone.Phone.Bench;
using Dialtone.Server;
using Dialtone.Sip.IntegrationTests.Infrastructure;

// Call benchmarks: setup time and peak concurrency with real libwebrtc media.
//   dotnet run -c Release --project bench/Dialtone.Phone.Bench -- [--kamailio] [--calls 50] [--max-concurrent 64] [--step 8]
// Without --kamailio the in-process embedded registrar/proxy is the server; with it, a real Kamailio
// (tests/infra/kamailio, digest auth on REGISTER and INVITE, SIP over WebSocket) on 127.0.0.1.
var arguments = args.ToList();
string? Option(string name)
{
    var i = arguments.IndexOf(name);
    return i >= 0 && i + 1 < arguments.Count ? arguments[i + 1] : null;
}

EmbeddedSipServer? embedded = null;
KamailioServer? kamailio = null;
BenchSettings settings;
var calls = int.Parse(Option("--calls") ?? "50");
var maxConcurrent = int.Parse(Option("--max-concurrent") ?? "64");
var step = int.Parse(Option("--step") ?? "8");
if (arguments.Contains("--kamailio"))
{
    kamailio = await KamailioServer.StartNewAsync();
    settings = new BenchSettings(kamailio.WsUri.ToString(), KamailioServer.Domain,
        user => KamailioServer.Passwords.GetValueOrDefault(user), calls, maxConcurrent, step);
    Console.WriteLine($"server: Kamailio (real, ws, digest auth) at {kamailio.WsUri}");
}
else
{
    embedded = await EmbeddedSipServer.StartAsync();
    settings = new BenchSettings(embedded.WebSocketUri.ToString(), embedded.Domain, _ => null, calls, maxConcurrent, step);
    Console.WriteLine($"server: Dialtone's embedded registrar/proxy at {embedded.WebSocketUri}");
}

try
{
    await using var alice = await BenchParty.StartAsync(settings, "alice", sayHz: 1000, listenHz: 1600, answer: false);
    await using var bob = await BenchParty.StartAsync(settings, "bob", sayHz: 1600, listenHz: 1000, answer: true);
    await SetupTimeBenchmark.RunAsync(alice, bob, settings);
    await ConcurrencyBenchmark.RunAsync(alice, bob, settings);
}
finally
{
    if (embedded is not null)
        await embedded.DisposeAsync();
    if (kamailio is not null)
        await kamailio.DisposeAsync();
}
