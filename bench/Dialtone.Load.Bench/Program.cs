using Dialtone.Load.Bench;

// nice -n 10 dotnet run -c Release --project bench/Dialtone.Load.Bench -- [rate-calls] [concurrency] [held-calls] [seconds] [per-call|device] [rt=N] [opus=16000] [threads=N] [engine=1] [warmup=N] [alice=lean]
//     The issue-14 load figures of ONE Dialtone process (bob, this process) with the load from a second
//     Dialtone process (alice) through a real Kamailio over WSS with digest auth: calls/s set up and torn
//     down, concurrent Opus calls per core with audio verified in every call, memory per idle call and the
//     10 ms audio clock's p99 lateness — each next to its target and a baseline from the same run.
//     Defaults: 200 calls, 8 at a time; 20 held calls; 5 s windows; per-call audio (each call its own tone
//     both ways, verified in every call; "device": one virtual device, packets verified). rt=N: the audio clock
//     thread at SCHED_FIFO priority N (CallAudioClock.TrySetRealtimePriority; needs CAP_SYS_NICE or RLIMIT_RTPRIO).
//     opus=16000: bob (the process under test) with PeerConnectionFactoryOptions.OpusSampleRate = 16000;
//     threads=N: bob's MediaThreads = N; engine=1: bob's EngineThreads = 1 (one thread is libwebrtc's network, worker and
//     signalling thread). The generator (alice) keeps the defaults, unless alice=lean: then it runs the lean engine
//     with one engine thread too (Opus 16 kHz, one media thread) — the generator shares the cores, so its cost
//     bounds the wall-clock rate.
//     warmup=N: calls set up and torn down before anything is measured (default 1000: enough for .NET's
//     tier-1 recompilation to settle, so the set-up figure is a long-running process's, not a new one's;
//     after 100 the tiered-compilation thread still took 3-4 CPU-ms per call and the pool ran tier-0 code). The memory
//     per call is a warmup=100 run's: after 1,000 the held calls reuse the native heap's freed, fragmented pages.
// (internal) ... -- generate <wss-uri> <ca.pem> <per-call|device> [lean]: the load generator process.
//   ... -- g711 [held-calls] [rate-calls] [rate/s] [concurrency] [seconds]
//     The carrier/IVR case: sipp (tests/infra/install-legacy-peers.sh) places plain RTP/AVP G.711 calls
//     through Kamailio (UDP) to this process (legacy media, --allow-unencrypted's option), streaming a pcap
//     into each held call: G.711 calls per core with RTP verified in every call, and calls/s at sipp's rate.
//     Defaults: 20 held, 300 calls at 100/s, 20 at once, 5 s window.
if (args.FirstOrDefault() == "g711")
    return await G711Run.RunAsync(new G711Settings(IntArg(1, 20), IntArg(2, 300), IntArg(3, 100), IntArg(4, 20), IntArg(5, 5)));
if (args.FirstOrDefault() == "generate")
    return await LoadGenerator.RunAsync(args[1], args[2], args[3] == "per-call", args.ElementAtOrDefault(4) == "lean");

var settings = new LoadSettings(
    RateCalls: IntArg(0, 200), Concurrency: IntArg(1, 8), HeldCalls: IntArg(2, 20), Seconds: IntArg(3, 5), PerCall: args.ElementAtOrDefault(4) != "device",
    RealtimePriority: args.FirstOrDefault(a => a.StartsWith("rt=", StringComparison.Ordinal)) is { } rt && int.TryParse(rt[3..], out var p) ? p : 0,
    OpusSampleRate: args.FirstOrDefault(a => a.StartsWith("opus=", StringComparison.Ordinal)) is { } op && int.TryParse(op[5..], out var r) ? r : 48000,
    MediaThreads: args.FirstOrDefault(a => a.StartsWith("threads=", StringComparison.Ordinal)) is { } th && int.TryParse(th[8..], out var t) ? t : 0,
    EngineThreads: args.FirstOrDefault(a => a.StartsWith("engine=", StringComparison.Ordinal)) is { } en && int.TryParse(en[7..], out var e) ? e : 0,
    WarmupCalls: args.FirstOrDefault(a => a.StartsWith("warmup=", StringComparison.Ordinal)) is { } wu && int.TryParse(wu[7..], out var w) && w > 0 ? w : 1000,
    LeanGenerator: args.Contains("alice=lean"));
return await LoadRun.RunAsync(settings);

int IntArg(int index, int fallback) => args.Length > index && int.TryParse(args[index], out var v) && v > 0 ? v : fallback;
