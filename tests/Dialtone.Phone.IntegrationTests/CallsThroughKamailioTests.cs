using System.Security.Cryptography.X509Certificates;
using Dialtone.Phone.Tests.Calls;
using Dialtone.Sip.IntegrationTests.Infrastructure;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;

namespace Dialtone.Phone.IntegrationTests;

/// <summary>
/// Calls between Dialtone user agents through a real Kamailio (registrar + proxy with digest auth,
/// SIP over WebSocket), with libwebrtc media: the call flows of issue 4 against a server we did not write.
/// </summary>
public sealed class CallsThroughKamailioTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = Eventually.Generous;
    private KamailioServer _kamailio = null!;
    private readonly List<Party> _parties = [];

    public async Task InitializeAsync() => _kamailio = await KamailioServer.StartNewAsync();

    public async Task DisposeAsync()
    {
        foreach (var party in _parties)
            await party.DisposeAsync();
        await _kamailio.DisposeAsync();
    }

    private async Task<Party> PartyAsync(string user, double sayHz = 0, double listenHz = 1000, bool secure = false)
    {
        var party = await Party.StartAsync(secure ? _kamailio.WssUri : _kamailio.WsUri, KamailioServer.Domain, user, sayHz, listenHz,
            password: KamailioServer.Passwords[user],
            tls: new SipTlsOptions { TrustedRootCertificates = new X509Certificate2Collection(_kamailio.CaCertificate) });
        _parties.Add(party);
        return party;
    }

    private static string Uri(string user) => $"sip:{user}@{KamailioServer.Domain}";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Alice_calls_bob_through_Kamailio_and_each_hears_the_other(bool secure)
    {
        var alice = await PartyAsync("alice", sayHz: 1000, listenHz: 1600, secure);
        var bob = await PartyAsync("bob", sayHz: 1600, listenHz: 1000, secure);
        var incoming = bob.AnswerCalls();

        var call = await alice.Agent.CallAsync(Uri("bob"));  // Kamailio challenges the INVITE (407)
        await call.Established.WaitAsync(Generous);
        var bobsCall = await incoming.WaitAsync(Generous);
        await bobsCall.Established.WaitAsync(Generous);

        Assert.True(await bob.HearsToneAsync(TimeSpan.FromMilliseconds(500), Generous), "bob did not hear alice");
        Assert.True(await alice.HearsToneAsync(TimeSpan.FromMilliseconds(500), Generous), "alice did not hear bob");
        await call.HangupAsync();
        Assert.Equal(CallEndReason.RemoteHangup, (await bobsCall.Ended.WaitAsync(Generous)).Reason);
    }

    [Fact]
    public async Task The_callee_hangs_up_through_the_record_route()
    {
        var alice = await PartyAsync("alice");
        var bob = await PartyAsync("bob");
        var incoming = bob.AnswerCalls();
        var call = await alice.Agent.CallAsync(Uri("bob"));
        var bobsCall = await incoming.WaitAsync(Generous);
        await bobsCall.Established.WaitAsync(Generous);

        await bobsCall.HangupAsync();

        Assert.Equal(CallEndReason.RemoteHangup, (await call.Ended.WaitAsync(Generous)).Reason);
    }

    [Fact]
    public async Task A_ringing_call_is_cancelled_on_both_sides()
    {
        var alice = await PartyAsync("alice");
        var bob = await PartyAsync("bob");
        var ringing = bob.NextIncomingCall();
        var call = await alice.Agent.CallAsync(Uri("bob"));
        var bobsCall = await ringing.WaitAsync(Generous);
        await Eventually.True(() => call.State == CallState.Ringing, "alice sees ringing");

        await call.HangupAsync();

        Assert.Equal(487, (await call.Ended.WaitAsync(Generous)).StatusCode);
        Assert.Equal(CallEndReason.RemoteHangup, (await bobsCall.Ended.WaitAsync(Generous)).Reason);
    }

    [Fact]
    public async Task A_busy_callee_rejects_with_486()
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
    public async Task Hold_and_resume_show_in_the_packet_counts_and_dtmf_arrives_in_order()
    {
        var alice = await PartyAsync("alice", sayHz: 0, listenHz: 1600);
        var bob = await PartyAsync("bob", sayHz: 1600, listenHz: 1000);
        var incoming = bob.AnswerCalls();
        var call = await alice.Agent.CallAsync(Uri("bob"));
        await call.Established.WaitAsync(Generous);
        var bobsCall = await incoming.WaitAsync(Generous);
        await bobsCall.Established.WaitAsync(Generous);
        await Task.Delay(500);

        call.SendDtmf("2580", TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(150));
        await Eventually.True(() => bob.Digits().Length >= 4, "four digits heard");
        Assert.Equal("2580", bob.Digits());

        await call.HoldAsync();
        await Eventually.True(() => bobsCall.IsRemoteHold, "bob sees the hold");
        await Task.Delay(300);
        var held = await Party.PacketsReceivedAsync(call);
        await Task.Delay(1000);
        Assert.Equal(held, await Party.PacketsReceivedAsync(call));

        await call.ResumeAsync();
        await Task.Delay(1000);
        Assert.True(await Party.PacketsReceivedAsync(call) > held + 20, "audio did not resume");
    }

    [Fact]
    public async Task Bob_transfers_alice_to_carol()
    {
        var alice = await PartyAsync("alice", sayHz: 1000, listenHz: 1300);
        var bob = await PartyAsync("bob");
        var carol = await PartyAsync("carol", sayHz: 1300, listenHz: 1000);
        var bobAnswers = bob.AnswerCalls();
        var carolAnswers = carol.AnswerCalls();
        var call = await alice.Agent.CallAsync(Uri("bob"));
        await call.Established.WaitAsync(Generous);
        var bobsCall = await bobAnswers.WaitAsync(Generous);
        await bobsCall.Established.WaitAsync(Generous);

        var status = await bobsCall.TransferAsync(UriReference.Parse(Uri("carol")), Generous);

        Assert.Equal(200, status);
        await (await carolAnswers.WaitAsync(Generous)).Established.WaitAsync(Generous);
        Assert.True(await carol.HearsToneAsync(TimeSpan.FromMilliseconds(300), Generous), "carol did not hear alice");
        Assert.Equal(CallEndReason.Transferred, (await bobsCall.Ended.WaitAsync(Generous)).Reason);
    }

    [Fact]
    public async Task Ten_calls_in_parallel_all_carry_audio()
    {
        var alice = await PartyAsync("alice", sayHz: 1000, listenHz: 1600);
        var bob = await PartyAsync("bob", sayHz: 1600, listenHz: 1000);
        bob.Agent.IncomingCall += (_, e) => _ = e.Call.AnswerAsync();

        var calls = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => alice.Agent.CallAsync(Uri("bob"))));
        await Task.WhenAll(calls.Select(c => c.Established)).WaitAsync(TimeSpan.FromSeconds(40));
        // Each call's media needs its own ICE and DTLS after the 200: wait (bounded) for the packets
        // instead of sampling once after a fixed delay, which a loaded machine outlasts.
        foreach (var call in calls)
        {
            var deadline = DateTime.UtcNow + Generous;
            while (await Party.PacketsReceivedAsync(call) <= 20 && DateTime.UtcNow < deadline)
                await Task.Delay(200);
            Assert.True(await Party.PacketsReceivedAsync(call) > 20, $"{call} carried no audio");
        }

        await Task.WhenAll(calls.Select(c => c.HangupAsync()));
        await Eventually.True(() => bob.Agent.Calls.Count == 0, "bob's calls ended");
    }

}
