using System.Diagnostics;
using Dialtone.Phone.Tests.Calls;
using Dialtone.Sip.IntegrationTests.Infrastructure;
using Dialtone.Sip.UserAgent;
using Dialtone.WebRtc;
using Xunit.Abstractions;

namespace Dialtone.Phone.IntegrationTests;

/// <summary>
/// A call that survives the loss of its SIP flows (issue 11): alice over TCP, bob over WebSocket,
/// both through a real Kamailio that is killed and restarted — or frozen (SIGSTOP) until both
/// keep-alives notice, then resumed — mid-call. Media runs peer to peer meanwhile. Each user agent
/// must register again on its new flow and re-INVITE the call with its new Contact (Kamailio
/// aliases that Contact to the new connection); only then can in-dialog requests reach it, which
/// a BYE from one side and then the other proves. Keep-alives run every 5 s here (30 s by default). Without the refresh, Kamailio answers the BYE
/// with "TCP/TLS connection … could not be found" and the far end stays up until its media times out.
/// </summary>
public sealed class CallRecoveryThroughKamailioTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Generous = Eventually.Generous;
    // Both parties keep their flows alive every 5 s (UserAgentOptions.KeepAliveInterval; 30 s by
    // default), so a frozen Kamailio is found dead within 5 s: the frozen case's bound, with slack.
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan KeepAliveDetection = KeepAliveInterval + TimeSpan.FromSeconds(10);
    private KamailioServer _kamailio = null!;
    private readonly List<Party> _parties = [];

    public async Task InitializeAsync() => _kamailio = await KamailioServer.StartNewAsync();

    public async Task DisposeAsync()
    {
        // Kamailio's own account of the run (for a failure's diagnosis).
        var log = _kamailio.Log.Split('\n');
        output.WriteLine("kamailio log (last 60 lines):\n" + string.Join('\n', log.TakeLast(60)));
        foreach (var party in _parties)
            await party.DisposeAsync();
        await _kamailio.DisposeAsync();
    }

    [Fact]
    public async Task Kamailio_killed_and_restarted_mid_call_then_the_callers_bye_reaches_the_callee()
    {
        var (alice, bob, call, bobsCall) = await EstablishedCallAsync();
        var aliceBack = RecoveryOf(alice);
        var bobBack = RecoveryOf(bob);
        var aliceReOffered = ReOfferTo(call);
        var bobReOffered = ReOfferTo(bobsCall);

        _kamailio.Kill();
        await Task.WhenAll(aliceBack.Lost, bobBack.Lost).WaitAsync(Generous);
        await Task.Delay(TimeSpan.FromSeconds(2));   // a few refused probes while it is away
        await _kamailio.StartAsync();
        var back = Stopwatch.StartNew();

        await AfterRecoveryAsync(alice, bob, call, bobsCall, aliceBack, bobBack, aliceReOffered, bobReOffered, back);

        await call.HangupAsync();
        var end = await bobsCall.Ended.WaitAsync(Generous);
        output.WriteLine($"bob's call ended {back.Elapsed.TotalSeconds:F2} s after the restart: {end}");
        Assert.Equal(CallEndReason.RemoteHangup, end.Reason);
    }

    [Fact]
    public async Task Kamailio_frozen_and_resumed_mid_call_then_the_callees_bye_reaches_the_caller()
    {
        var (alice, bob, call, bobsCall) = await EstablishedCallAsync();
        var aliceBack = RecoveryOf(alice);
        var bobBack = RecoveryOf(bob);
        var aliceReOffered = ReOfferTo(call);
        var bobReOffered = ReOfferTo(bobsCall);

        // Connections stay open, nothing answers: only the keep-alives notice.
        await _kamailio.SignalAllAsync("STOP");
        var frozen = Stopwatch.StartNew();
        try
        {
            await Task.WhenAll(aliceBack.Lost, bobBack.Lost).WaitAsync(KeepAliveDetection);
            output.WriteLine($"both flows found dead {frozen.Elapsed.TotalSeconds:F2} s into the freeze");
        }
        finally
        {
            await _kamailio.SignalAllAsync("CONT");
        }
        var back = Stopwatch.StartNew();

        await AfterRecoveryAsync(alice, bob, call, bobsCall, aliceBack, bobBack, aliceReOffered, bobReOffered, back);

        await bobsCall.HangupAsync();
        var end = await call.Ended.WaitAsync(Generous);
        output.WriteLine($"alice's call ended {back.Elapsed.TotalSeconds:F2} s after SIGCONT: {end}");
        Assert.Equal(CallEndReason.RemoteHangup, end.Reason);
    }

    /// <summary>alice (TCP) calls bob (WebSocket) through Kamailio; both hear the other.</summary>
    private async Task<(Party Alice, Party Bob, Call Call, Call BobsCall)> EstablishedCallAsync()
    {
        var alice = await PartyAsync("alice", new Uri($"sip:127.0.0.1:{_kamailio.SipPort};transport=tcp"), sayHz: 1000, listenHz: 1600);
        var bob = await PartyAsync("bob", _kamailio.WsUri, sayHz: 1600, listenHz: 1000);
        var incoming = bob.AnswerCalls();
        var call = await alice.Agent.CallAsync($"sip:bob@{KamailioServer.Domain}");
        await call.Established.WaitAsync(Generous);
        var bobsCall = await incoming.WaitAsync(Generous);
        await bobsCall.Established.WaitAsync(Generous);
        await WaitForPacketsAsync(call, 20);
        await WaitForPacketsAsync(bobsCall, 20);
        return (alice, bob, call, bobsCall);
    }

    /// <summary>Both registered again, both re-INVITEd the call, media never stopped.</summary>
    private async Task AfterRecoveryAsync(Party alice, Party bob, Call call, Call bobsCall, Recovery aliceBack, Recovery bobBack,
        Task aliceReOffered, Task bobReOffered, Stopwatch back)
    {
        await Task.WhenAll(aliceBack.Registered, bobBack.Registered).WaitAsync(Generous);
        var registered = back.Elapsed;
        // bob's re-INVITE carries his new Contact to alice, and alice's hers to bob (a glare, if both
        // go at once, is resolved by the §14.1 retry).
        await Task.WhenAll(aliceReOffered, bobReOffered).WaitAsync(Generous);
        output.WriteLine($"re-registered within {registered.TotalSeconds:F2} s; both re-INVITEs done within {back.Elapsed.TotalSeconds:F2} s");
        await Eventually.True(() => call.PeerConnection.SignalingState == SignalingState.Stable
            && bobsCall.PeerConnection.SignalingState == SignalingState.Stable, "both offer/answer exchanges finished");
        Assert.Equal(CallState.Established, call.State);
        Assert.Equal(CallState.Established, bobsCall.State);
        Assert.Equal(RegistrationState.Registered, alice.Agent.RegistrationState);
        Assert.Equal(RegistrationState.Registered, bob.Agent.RegistrationState);
        long before = await Party.PacketsReceivedAsync(bobsCall);
        await WaitForPacketsAsync(bobsCall, before + 20);
    }

    private async Task<Party> PartyAsync(string user, Uri server, double sayHz, double listenHz)
    {
        var party = await Party.StartAsync(server, KamailioServer.Domain, user, sayHz, listenHz, password: KamailioServer.Passwords[user],
            configure: options => options with { KeepAliveInterval = KeepAliveInterval });
        _parties.Add(party);
        return party;
    }

    private static async Task WaitForPacketsAsync(Call call, long atLeast)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (await Party.PacketsReceivedAsync(call) < atLeast && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        Assert.True(await Party.PacketsReceivedAsync(call) >= atLeast, $"{call}: fewer than {atLeast} packets received");
    }

    /// <summary>The flow loss (Recovering) and the registration after it.</summary>
    private sealed record Recovery(Task Lost, Task Registered);

    private static Recovery RecoveryOf(Party party)
    {
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        party.Agent.RegistrationStateChanged += (_, e) =>
        {
            if (e.State == RegistrationState.Recovering)
                lost.TrySetResult();
            else if (e.State == RegistrationState.Registered && lost.Task.IsCompleted)
                registered.TrySetResult();
        };
        return new Recovery(lost.Task, registered.Task);
    }

    /// <summary>Completes when the call's peer connection takes a new remote offer: the peer's re-INVITE arrived.</summary>
    private static Task ReOfferTo(Call call)
    {
        var offered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        call.PeerConnection.SignalingStateChanged += (_, e) =>
        {
            if (e.State == SignalingState.HaveRemoteOffer)
                offered.TrySetResult();
        };
        return offered.Task;
    }
}
