using Dialtone.Phone.Bench;
using Dialtone.Server;

// Call benchmarks: setup time and peak concurrency, through the embedded registrar/proxy unless
// --server names another SIP-over-WebSocket server (e.g. Kamailio: see bench/README.md).
//   dotnet run -c Release --project bench/Dialtone.Phone.Bench -- [--server ws://...] [--domain D]
//       [--password-env VAR] [--calls 50] [--max-concurrent 64] [--step 8]
var arguments = args.ToList();
string? Option(string name)
{
    var i = arguments.IndexOf(name);
    return i >= 0 && i + 1 < arguments.Count ? arguments[i + 1] : null;
}

EmbeddedSipServer? embedded = null;
var server = Option("--server");
var domain = Option("--domain");
if (server is null)
{
    embedded = await EmbeddedSipServer.StartAsync();
    server = embedded.WebSocketUri.ToString();
    domain = embedded.Domain;
}
var settings = new BenchSettings(
    server,
    domain ?? throw new ArgumentException("--domain is required with --server"),
    Option("--password-env") is { } env ? Environment.GetEnvironmentVariable(env) : null,
    int.Parse(Option("--calls") ?? "50"),
    int.Parse(Option("--max-concurrent") ?? "64"),
    int.Parse(Option("--step") ?? "8"));

await using (var alice = await BenchParty.StartAsync(settings, "alice", sayHz: 1000, listenHz: 1600, answer: false))
await using (var bob = await BenchParty.StartAsync(settings, "bob", sayHz: 1600, listenHz: 1000, answer: true))
{
    await SetupTimeBenchmark.RunAsync(alice, bob, settings);
    await ConcurrencyBenchmark.RunAsync(alice, bob, settings);
}
if (embedded is not null)
    await embedded.DisposeAsync();
