using Dialtone.Server;
using Dialtone.WebRtc;

namespace Dialtone.Phone.Tests.Calls;

/// <summary>Call control through the embedded server with real media: DTMF, hold, cancel, reject, BYE, transfer.</summary>
public sealed class CallControlTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);
    private EmbeddedSipServer _server = null!;
    private readonly List<Party> _parties = [];

    public async Task InitializeAsync() => _server = await EmbeddedSipServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var party in _parties)
            await party.DisposeAsync();
        await _server.DisposeAsync();
    }

    private async Task<Party> PartyAsync(string user, double sayHz = 0, double listenHz = 1000)
    {
        var party = await Party.StartAsync(_server.WebSocketUri, _server.Domain, user, sayHz, listenHz);
        _parties.Add(party);
        return party;
    }

    private string Uri(string user) => $"sip:{user}@{_server.Domain}";

    [Fact]
    public async Task Dtmf_sent_as_telephone_events_is_heard_in_order()
    {
        var alice = await PartyAsync("alice");
        var bob = await PartyAsync("bob");
        var incoming = bob.AnswerCalls();
        var call = await alice.Agent.CallAsync(Uri("bob"));
        await call.Established.WaitAsync(Generous);
        await (await incoming).Established.WaitAsync(Generous);
        await Task.Delay(500); // let the jitter buffer settle before the first digit

        call.SendDtmf("159#", TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(150));

        var deadline = DateTime.UtcNow + Generous;
        while (bob.Digits().Length < 4 && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal("159#", bob.Digits());
    }

    [Fact]
    public async Task Hold_stops_the_held_party_sending_and_resume_restarts_it()
    {
        var alice = await PartyAsync("alice", sayHz: 1000, listenHz: 1600);
        var bob = await PartyAsync("bob", sayHz: 1600, listenHz: 1000);
        var incoming = bob.AnswerCalls();
        var call = await alice.Agent.CallAsync(Uri("bob"));
        await call.Established.WaitAsync(Generous);
        var bobsCall = await incoming;
        await bobsCall.Established.WaitAsync(Generous);
        Assert.True(await alice.HearsToneAsync(TimeSpan.FromMilliseconds(300), Generous));

        await call.HoldAsync();
        Assert.Equal(CallState.OnHold, call.State);
        await Eventually.True(() => bobsCall.State == CallState.OnHold && bobsCall.IsRemoteHold);
        await Task.Delay(300); // packets in flight
        var heldAt = await PacketsReceivedAsync(call);
        await Task.Delay(1000);
        Assert.Equal(heldAt, await PacketsReceivedAsync(call)); // bob (recvonly now) sends nothing

        await call.ResumeAsync();
        Assert.Equal(CallState.Established, call.State);
        await Eventually.True(() => bobsCall.State == CallState.Established);
        await Task.Delay(1000);
        Assert.True(await PacketsReceivedAsync(call) > heldAt + 20, "bob's audio did not come back after resume");
    }

    [Fact]
    public async Task Cancelling_a_ringing_call_ends_it_on_both_sides()
    {
        var alice = await PartyAsync("alice");
        var bob = await PartyAsync("bob");
        var ringing = bob.NextIncomingCall();
        var call = await alice.Agent.CallAsync(Uri("bob"));
        var bobsCall = await ringing.WaitAsync(Generous);
        await Eventually.True(() => call.State == CallState.Ringing);

        await call.HangupAsync();

        var end = await call.Ended.WaitAsync(Generous);
        Assert.Equal(CallEndReason.LocalHangup, end.Reason);
        Assert.Equal(487, end.StatusCode);
        var bobsEnd = await bobsCall.Ended.WaitAsync(Generous);
        Assert.Equal(CallEndReason.RemoteHangup, bobsEnd.Reason);
        await Assert.ThrowsAsync<CallFailedException>(() => call.Established);
    }

    [Fact]
    public async Task A_rejected_call_reports_the_status()
    {
        var alice = await PartyAsync("alice");
        var bob = await PartyAsync("bob");
        bob.Agent.IncomingCall += (_, e) => _ = e.Call.RejectAsync(486);

        var call = await alice.Agent.CallAsync(Uri("bob"));

        var end = await call.Ended.WaitAsync(Generous);
        Assert.Equal(CallEndReason.Rejected, end.Reason);
        Assert.Equal(486, end.StatusCode);
    }

    [Fact]
    public async Task Calling_an_unregistered_user_fails_with_480()
    {
        var alice = await PartyAsync("alice");
        var call = await alice.Agent.CallAsync(Uri("nobody"));
        var end = await call.Ended.WaitAsync(Generous);
        Assert.Equal(CallEndReason.Rejected, end.Reason);
        Assert.Equal(480, end.StatusCode);
    }

    [Fact]
    public async Task The_callee_can_hang_up()
    {
        var alice = await PartyAsync("alice");
        var bob = await PartyAsync("bob");
        var incoming = bob.AnswerCalls();
        var call = await alice.Agent.CallAsync(Uri("bob"));
        var bobsCall = await incoming.WaitAsync(Generous);
        await bobsCall.Established.WaitAsync(Generous);

        await bobsCall.HangupAsync();

        Assert.Equal(CallEndReason.RemoteHangup, (await call.Ended.WaitAsync(Generous)).Reason);
        Assert.Equal(CallEndReason.LocalHangup, (await bobsCall.Ended.WaitAsync(Generous)).Reason);
    }

    [Fact]
    public async Task Blind_transfer_connects_the_transferee_to_the_target()
    {
        var alice = await PartyAsync("alice", sayHz: 1000, listenHz: 1300);
        var bob = await PartyAsync("bob");
        var carol = await PartyAsync("carol", sayHz: 1300, listenHz: 1000);
        var bobAnswers = bob.AnswerCalls();
        var carolAnswers = carol.AnswerCalls();
        var aliceTransferred = new TaskCompletionSource<Call>(TaskCreationOptions.RunContinuationsAsynchronously);

        var call = await alice.Agent.CallAsync(Uri("bob"));
        call.TransferRequested += (_, e) => aliceTransferred.TrySetResult(e.NewCall);
        await call.Established.WaitAsync(Generous);
        var bobsCall = await bobAnswers.WaitAsync(Generous);
        await bobsCall.Established.WaitAsync(Generous);

        var status = await bobsCall.TransferAsync(Sip.Message.UriReference.Parse(Uri("carol")), Generous);

        Assert.Equal(200, status);
        Assert.Equal(CallEndReason.Transferred, (await bobsCall.Ended.WaitAsync(Generous)).Reason);
        await call.Ended.WaitAsync(Generous);
        var toCarol = await aliceTransferred.Task.WaitAsync(Generous);
        await toCarol.Established.WaitAsync(Generous);
        await (await carolAnswers.WaitAsync(Generous)).Established.WaitAsync(Generous);
        Assert.True(await carol.HearsToneAsync(TimeSpan.FromMilliseconds(300), Generous), "carol did not hear alice");
        Assert.True(await alice.HearsToneAsync(TimeSpan.FromMilliseconds(300), Generous), "alice did not hear carol");
    }

    private static async Task<long> PacketsReceivedAsync(Call call)
    {
        var stats = await call.GetStatsAsync();
        return stats.InboundRtp.Where(s => s.Kind == "audio").Sum(s => s.PacketsReceived ?? 0);
    }
}
