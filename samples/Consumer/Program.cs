// A consumer of the Dialtone packages: starts the embedded SIP server, registers two user agents on
// it, places a call from alice to bob, and proves that audio crosses both ways (each side's virtual
// microphone says a tone the other side's speaker must hear). Then it checks what this system says
// about PulseAudio. One line per check ("PASS ..." or "FAIL ..."); exit code 0 only if all passed.
//
//   Consumer [--media-only] [--expect-no-pulseaudio]
//
// --media-only: a WebRTC call between two peer connections of this process instead (DTLS-SRTP, Opus,
// audio checked both ways), without SIP. For a system without OpenSSL: the native library carries
// its own, but .NET's cryptography (SIP's random tags, digest hashes) needs the system's libssl.
// --expect-no-pulseaudio: the system has no libpulse (a headless server); the PulseAudio device must
// then fail with a clear "PulseAudio is not available" error, while calls work.
using System.Diagnostics;
using System.Runtime.InteropServices;
using Dialtone.Phone;
using Dialtone.Phone.Audio;
using Dialtone.Server;
using Dialtone.Sip.Message;
using Dialtone.WebRtc;

bool expectNoPulse = args.Contains("--expect-no-pulseaudio");
bool mediaOnly = args.Contains("--media-only");
var checks = new List<(string Name, bool Passed, string Detail)>();
void Check(string name, bool passed, string detail)
{
    checks.Add((name, passed, detail));
    Console.WriteLine($"{(passed ? "PASS" : "FAIL")} {name}: {detail}");
}

Console.WriteLine($"consumer: {RuntimeInformation.OSDescription}, .NET {Environment.Version}, {RuntimeInformation.RuntimeIdentifier}");
using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
try
{
    await (mediaOnly ? MediaCallAsync(timeout.Token) : CallAsync(timeout.Token));
}
catch (Exception e)
{
    Check("call", false, $"{e.GetType().Name}: {e.Message}");
}

CheckPulseAudio();
int failed = checks.Count(c => !c.Passed);
Console.WriteLine($"consumer: {checks.Count - failed} passed, {failed} failed");
return failed == 0 ? 0 : 1;

async Task CallAsync(CancellationToken cancellationToken)
{
    const double AliceHz = 1000, BobHz = 1600;
    await using var server = await EmbeddedSipServer.StartAsync(new EmbeddedSipServerOptions(), cancellationToken);
    await using var alice = await Party.StartAsync("alice", server, AliceHz, BobHz, cancellationToken);
    await using var bob = await Party.StartAsync("bob", server, BobHz, AliceHz, cancellationToken);
    await alice.Agent.RegisterAsync(cancellationToken);
    await bob.Agent.RegisterAsync(cancellationToken);
    Check("register", true, $"alice and bob registered on {server.WebSocketUri}");

    var answered = new TaskCompletionSource<Call>(TaskCreationOptions.RunContinuationsAsynchronously);
    bob.Agent.IncomingCall += async (_, e) =>
    {
        try
        {
            await e.Call.AnswerAsync(cancellationToken);
            answered.TrySetResult(e.Call);
        }
        catch (Exception ex)
        {
            answered.TrySetException(ex);
        }
    };

    var call = await alice.Agent.CallAsync($"sip:bob@{server.Domain}", cancellationToken);
    await call.Established.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
    var bobsCall = await answered.Task.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
    Check("call", true, "alice called bob, bob answered");

    // Audio takes a moment to start (ICE, DTLS); wait (bounded) until both have heard enough.
    var enough = TimeSpan.FromMilliseconds(500);
    var clock = Stopwatch.StartNew();
    while (!(alice.Hears.Heard(enough) && bob.Hears.Heard(enough)) && clock.Elapsed < TimeSpan.FromSeconds(20))
    {
        await Task.Delay(50, cancellationToken);
    }

    Check("audio alice -> bob", bob.Hears.Heard(enough), $"bob heard {AliceHz:0} Hz in {bob.Hears.ToneFrames * 10} ms of {bob.Hears.Frames * 10} ms");
    Check("audio bob -> alice", alice.Hears.Heard(enough), $"alice heard {BobHz:0} Hz in {alice.Hears.ToneFrames * 10} ms of {alice.Hears.Frames * 10} ms");

    await call.HangupAsync(cancellationToken);
    var end = await bobsCall.Ended.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
    Check("hang up", true, $"bob's call ended ({end.Reason})");
}

async Task MediaCallAsync(CancellationToken cancellationToken)
{
    const double CallerHz = 1000, CalleeHz = 1600;
    var options = new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = AudioProcessingOptions.Disabled };
    using var callerFactory = new PeerConnectionFactory(options);
    using var calleeFactory = new PeerConnectionFactory(options);
    await using var caller = callerFactory.CreatePeerConnection();
    await using var callee = calleeFactory.CreatePeerConnection();
    caller.AddAudioTrack("caller-mic", "caller");

    // Offer/answer with complete SDPs (every candidate in them), as SIP does.
    await caller.SetLocalDescriptionAsync(await caller.CreateOfferAsync(cancellationToken: cancellationToken), cancellationToken);
    await caller.WaitForIceGatheringCompleteAsync(TimeSpan.FromSeconds(10), cancellationToken);
    await callee.SetRemoteDescriptionAsync(caller.LocalDescription!, cancellationToken);
    callee.AddAudioTrack("callee-mic", "callee");
    await callee.SetLocalDescriptionAsync(await callee.CreateAnswerAsync(cancellationToken: cancellationToken), cancellationToken);
    await callee.WaitForIceGatheringCompleteAsync(TimeSpan.FromSeconds(10), cancellationToken);
    await caller.SetRemoteDescriptionAsync(callee.LocalDescription!, cancellationToken);
    var connecting = Stopwatch.StartNew();
    while (!(caller.ConnectionState == PeerConnectionState.Connected && callee.ConnectionState == PeerConnectionState.Connected) &&
           connecting.Elapsed < TimeSpan.FromSeconds(20))
    {
        await Task.Delay(50, cancellationToken);
    }

    Check("media call connected", caller.ConnectionState == PeerConnectionState.Connected && callee.ConnectionState == PeerConnectionState.Connected,
        $"ICE + DTLS-SRTP between two peer connections (the library's own OpenSSL): caller {caller.ConnectionState}, callee {callee.ConnectionState}");

    var callerHears = new ToneMeter(CalleeHz, callerFactory.VirtualAudio!.SampleRate);
    var calleeHears = new ToneMeter(CallerHz, calleeFactory.VirtualAudio!.SampleRate);
    await using var callerPump = new AudioPump(callerFactory.VirtualAudio!, new ToneGenerator(CallerHz, callerFactory.VirtualAudio!.SampleRate).Fill, callerHears.Process);
    await using var calleePump = new AudioPump(calleeFactory.VirtualAudio!, new ToneGenerator(CalleeHz, calleeFactory.VirtualAudio!.SampleRate).Fill, calleeHears.Process);
    var enough = TimeSpan.FromMilliseconds(500);
    var clock = Stopwatch.StartNew();
    while (!(callerHears.Heard(enough) && calleeHears.Heard(enough)) && clock.Elapsed < TimeSpan.FromSeconds(20))
    {
        await Task.Delay(50, cancellationToken);
    }

    Check("media audio caller -> callee", calleeHears.Heard(enough), $"callee heard {CallerHz:0} Hz in {calleeHears.ToneFrames * 10} ms of {calleeHears.Frames * 10} ms");
    Check("media audio callee -> caller", callerHears.Heard(enough), $"caller heard {CalleeHz:0} Hz in {callerHears.ToneFrames * 10} ms of {callerHears.Frames * 10} ms");
}

void CheckPulseAudio()
{
    try
    {
        var devices = AudioDevices.List(AudioDeviceDirection.Output);
        Check("pulseaudio", !expectNoPulse, $"a PulseAudio server answered with {devices.Count} sink(s)");
    }
    catch (WebRtcException e) when (e.Message.Contains("PulseAudio is not available", StringComparison.Ordinal))
    {
        Check("pulseaudio", expectNoPulse, $"clear error without libpulse: {e.Message}");
    }
    catch (WebRtcException e)
    {
        // libpulse is there but no server runs: also a clear error, and not what a headless system says.
        Check("pulseaudio", !expectNoPulse, $"libpulse present, no server: {e.Message}");
    }
}

/// <summary>One user agent with a virtual microphone saying a tone and a speaker listened to for the other's.</summary>
internal sealed class Party : IAsyncDisposable
{
    private readonly AudioPump _pump;

    private Party(UserAgent agent, double sayHz, double listenHz)
    {
        Agent = agent;
        var device = agent.MediaFactory.VirtualAudio!;
        var voice = new ToneGenerator(sayHz, device.SampleRate);
        Hears = new ToneMeter(listenHz, device.SampleRate);
        _pump = new AudioPump(device, voice.Fill, Hears.Process);
    }

    public UserAgent Agent { get; }

    public ToneMeter Hears { get; }

    public static async Task<Party> StartAsync(string name, EmbeddedSipServer server, double sayHz, double listenHz, CancellationToken cancellationToken)
    {
        var agent = await UserAgent.StartAsync(new UserAgentOptions
        {
            Server = server.WebSocketUri.ToString(),
            AddressOfRecord = SipUri.Parse($"sip:{name}@{server.Domain}"),
        }, cancellationToken);
        return new Party(agent, sayHz, listenHz);
    }

    public async ValueTask DisposeAsync()
    {
        await _pump.DisposeAsync();
        await Agent.DisposeAsync();
    }
}
