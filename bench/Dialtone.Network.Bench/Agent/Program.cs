using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Dialtone.Network.Agent;
using Dialtone.Phone;
using Dialtone.Phone.Audio;
using Dialtone.Phone.Media;
using Dialtone.Phone.Media.Legacy;
using Dialtone.Phone.Network;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sdp;
using Dialtone.Sip.Transport;
using Dialtone.WebRtc;
using Microsoft.Extensions.Logging;

// A phone for the network lab: registers, calls (--target) or answers, N calls one after another, says one tone
// and listens for the peer's, and reports as JSON lines: registered, established, result.
// Usage: agent --server URI --user NAME --password PW [--domain D] [--ca PEM] [--ice URL]… [--ice-user U
//        --ice-password P] [--policy all|relay] [--gather-cap MS] [--say HZ --listen HZ] [--target URI]
//        [--talk SECONDS] [--calls N] [--timeout SECONDS] [--gather-only true] [--follow-network auto|app|off]
//        [--watch-network true] [--answer-delay MS] [--log-file PATH] [--media webrtc|plain]
// --media plain: the call is plain RTP/AVP (legacy media, unencrypted allowed) instead of WebRTC — the carrier/PBX case.
try
{
    var o = new AgentOptions(args);
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(o.Number("timeout", 90)));
    await RunAsync(o, timeout.Token);
    return 0;
}
catch (Exception e)
{
    Report.Event("error", new JsonObject { ["message"] = e.GetType().Name + ": " + e.Message });
    return 1;
}

static async Task RunAsync(AgentOptions o, CancellationToken cancel)
{
    var user = o.Required("user");
    var domain = o.Optional("domain") ?? "dialtone.test";
    var options = new UserAgentOptions
    {
        Server = o.Required("server"),
        AddressOfRecord = SipUri.Parse($"sip:{user}@{domain}"),
        Credentials = new SipCredentials(user, o.Required("password")),
        Tls = o.Optional("ca") is { } ca
            ? new SipTlsOptions { TrustedRootCertificates = [X509Certificate2.CreateFromPem(File.ReadAllText(ca))] }
            : new SipTlsOptions(),
        Audio = new PeerConnectionFactoryOptions
        {
            AudioDevice = AudioDeviceKind.Virtual,
            // Stationary test tones are what noise suppression removes.
            AudioProcessing = new AudioProcessingOptions { NoiseSuppression = false, AutoGainControl = false },
        },
        Media = new CallMediaOptions
        {
            PeerConnection = new PeerConnectionConfiguration
            {
                IceServers = o.All("ice").Select(url => url.StartsWith("turn", StringComparison.OrdinalIgnoreCase)
                    ? new IceServer(url, o.Optional("ice-user"), o.Optional("ice-password"))
                    : new IceServer(url)).ToList(),
                IceTransportPolicy = o.Optional("policy") == "relay" ? IceTransportPolicy.Relay : IceTransportPolicy.All,
            },
            IceGatheringCap = TimeSpan.FromMilliseconds(o.Number("gather-cap", 3000)),
        },
        // --turn-ca FILE: the CA(s) a turns: server's certificate may chain to (the lab's test CA).
        TurnTlsTrustedCertificates = o.Optional("turn-ca") is { } turnCa ? File.ReadAllText(turnCa) : null,
        LegacyMedia = o.Optional("media") == "plain"
            ? new LegacyMediaOptions { AllowUnencryptedMedia = true, OutgoingProfile = MediaProfile.Plain }
            : null,
        // auto (default): the user agent follows network changes itself; app: NetworkFollower does it
        // with the public API; off: nobody does.
        FollowNetworkChanges = (o.Optional("follow-network") ?? "auto") == "auto",
        LoggerFactory = o.Optional("log-file") is { } logFile
            ? Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new FileLog(logFile)))
            : Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
    };

    if (o.Optional("watch-network") == "true")
    {
        await WatchNetworkAsync(cancel);
        return;
    }
    await using var agent = await UserAgent.StartAsync(options, cancel);
    if (o.Optional("gather-only") == "true")
    {
        await Gathering.ReportAsync(agent, options.Media, cancel);
        return;
    }
    var clock = Stopwatch.StartNew();
    await agent.RegisterAsync(cancel);
    Report.Event("registered", new JsonObject { ["ms"] = clock.ElapsedMilliseconds });

    await using var probe = new ToneProbe(agent.MediaFactory.VirtualAudio!, o.Number("say", 440), o.Number("listen", 880));
    var incoming = Channel.CreateUnbounded<Call>();
    agent.IncomingCall += (_, e) => incoming.Writer.TryWrite(e.Call);
    var calls = (int)o.Number("calls", 1);
    for (var n = 1; n <= calls; n++)
    {
        var result = await OneCallAsync(agent, probe, incoming.Reader, o, cancel);
        result["call"] = n;
        Report.Event("result", result);
    }
}

// --watch-network: reports each settled change of this host's addresses until the timeout.
static async Task WatchNetworkAsync(CancellationToken cancel)
{
    using var monitor = new NetworkChangeMonitor();
    monitor.Changed += (_, e) => Report.Event("network-change", new JsonObject
    {
        ["before"] = string.Join(",", e.Before),
        ["after"] = string.Join(",", e.After),
    });
    Report.Event("watching", new JsonObject { ["addresses"] = string.Join(",", monitor.Addresses) });
    try
    {
        await Task.Delay(Timeout.Infinite, cancel);
    }
    catch (OperationCanceledException)
    {
    }
}

static async Task<JsonObject> OneCallAsync(UserAgent agent, ToneProbe probe, ChannelReader<Call> incoming, AgentOptions o, CancellationToken cancel)
{
    var target = o.Optional("target");
    var clock = Stopwatch.StartNew();
    Call call;
    if (target is not null)
    {
        call = await agent.CallAsync(target, cancel);
    }
    else
    {
        call = await incoming.ReadAsync(cancel);
        clock.Restart();
        Report.Event("ringing", new JsonObject { ["callId"] = call.CallId });
        // --answer-delay: let it ring (a network change may come meanwhile); a call that ends while
        // ringing is reported, not answered.
        if (o.Number("answer-delay", 0) is var delay and > 0)
            await Task.WhenAny(Task.Delay(TimeSpan.FromMilliseconds(delay), cancel), call.Ended);
        if (call.State == CallState.Ended)
            return new JsonObject { ["failed"] = "ended while ringing", ["end"] = (await call.Ended).ToString(), ["setupMs"] = clock.ElapsedMilliseconds };
        await call.AnswerAsync(cancel);
    }

    await using var _ = call;
    long setupMs;
    try
    {
        await call.Established.WaitAsync(cancel);
        setupMs = clock.ElapsedMilliseconds;
        // A call whose media never connects is a failed call, not a hung agent.
        await call.MediaConnected.WaitAsync(TimeSpan.FromSeconds(30), cancel);
    }
    catch (Exception e) when (e is CallFailedException or TimeoutException)
    {
        if (target is not null && call.State != CallState.Ended)
            await call.HangupAsync(cancel);
        return new JsonObject
        {
            ["failed"] = e.GetType().Name + ": " + e.Message,
            ["end"] = await EndOfAsync(call),
            ["setupMs"] = clock.ElapsedMilliseconds,
        };
    }
    var mediaMs = clock.ElapsedMilliseconds;
    Report.Event("established", new JsonObject { ["setupMs"] = setupMs, ["mediaMs"] = mediaMs });

    using var follower = o.Optional("follow-network") == "app" ? new NetworkFollower(agent, call, clock) : null;
    using var watcher = agent.Options.FollowNetworkChanges ? new FlowMoveReport(agent, call, clock) : null;
    probe.Hears.Reset();
    var heard = await probe.HearsToneAsync(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(20), cancel);
    var firstToneMs = heard ? clock.ElapsedMilliseconds : -1;

    // Continuity: the share of 10 ms frames that carried the peer's tone over the talk time, and
    // the longest stretch without it.
    var talk = TimeSpan.FromSeconds(o.Number("talk", 4));
    // The stats once the tone is there, again at the end of the measurement when the call is still
    // up: a peer that hangs up first (a browser) ends the measurement early and leaves the first.
    var media = await MediaFiguresAsync(call, cancel);
    var continuity = await Continuity.MeasureAsync(probe.Hears, talk, call.Ended, clock, cancel);
    if (!call.Ended.IsCompleted)
    {
        try
        {
            media = await MediaFiguresAsync(call, cancel);
        }
        catch (ObjectDisposedException)
        {
            // it ended meanwhile: its media is gone
        }
    }
    var result = new JsonObject
    {
        ["setupMs"] = setupMs,
        ["mediaMs"] = mediaMs,
        ["firstToneMs"] = firstToneMs,
        ["heardRatio"] = continuity.HeardRatio,
        ["longestGapMs"] = continuity.LongestGapMs,
        ["gaps"] = new JsonArray(continuity.Gaps.Select(g => (JsonNode)new JsonObject { ["atMs"] = g.AtMs, ["ms"] = g.Ms }).ToArray()),
        ["packetsReceived"] = media.PacketsReceived,
        ["pair"] = media.Pair,
        ["encrypted"] = call.IsMediaEncrypted,
    };

    if (target is not null)
    {
        // Let the callee finish its own measurement before the BYE.
        await Task.Delay(TimeSpan.FromMilliseconds(500), cancel);
        await call.HangupAsync(cancel);
    }
    var end = await call.Ended.WaitAsync(TimeSpan.FromSeconds(20), cancel);
    result["end"] = end.Reason.ToString();
    return result;
}

// Packets received and (WebRTC) the selected candidate pair; a plain RTP call has its RTP session's statistics and no pair.
static async Task<(long PacketsReceived, JsonObject? Pair)> MediaFiguresAsync(Call call, CancellationToken cancel)
{
    if (call.LegacyMedia is { } legacy)
        return ((long)legacy.GetStatistics().RtpPacketsReceived, null);
    var stats = await call.GetStatsAsync(cancel);
    return (stats.InboundRtp.Sum(s => s.PacketsReceived ?? 0), CandidatePair.Describe(stats));
}

// How the call ended (it may still be ending: bounded).
static async Task<string?> EndOfAsync(Call call)
{
    try
    {
        return (await call.Ended.WaitAsync(TimeSpan.FromSeconds(10))).ToString();
    }
    catch (TimeoutException)
    {
        return null;
    }
}
