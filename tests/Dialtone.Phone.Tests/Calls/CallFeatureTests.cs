using Dialtone.Server;
using Dialtone.Sip.Message;

namespace Dialtone.Phone.Tests.Calls;

/// <summary>Early media, redirects, DTMF over SIP INFO and ICE restart, through the embedded server with real media.</summary>
public sealed class CallFeatureTests : IAsyncLifetime
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
    public async Task Early_media_from_183_is_heard_before_the_answer()
    {
        var alice = await PartyAsync("alice", sayHz: 0, listenHz: 1600);
        var bob = await PartyAsync("bob", sayHz: 1600);
        var ringing = bob.NextIncomingCall();
        var call = await alice.Agent.CallAsync(Uri("bob"));
        var bobsCall = await ringing.WaitAsync(Generous);

        await bobsCall.ProgressAsync();

        await Eventually.True(() => call.State == CallState.EarlyMedia);
        Assert.True(await alice.HearsToneAsync(TimeSpan.FromMilliseconds(300), Generous), "no early media");
        Assert.False(call.Established.IsCompleted);

        await bobsCall.AnswerAsync();
        await call.Established.WaitAsync(Generous);
        Assert.Equal(CallState.Established, call.State);
    }

    [Fact]
    public async Task A_302_redirect_is_followed_to_the_new_target()
    {
        var alice = await PartyAsync("alice");
        var bob = await PartyAsync("bob");
        var carol = await PartyAsync("carol");
        bob.Agent.IncomingCall += (_, e) => _ = e.Call.RedirectAsync(UriReference.Parse(Uri("carol")));
        var carolAnswers = carol.AnswerCalls();

        var call = await alice.Agent.CallAsync(Uri("bob"));

        await call.Established.WaitAsync(Generous);
        var carolsCall = await carolAnswers.WaitAsync(Generous);
        Assert.Equal(call.CallId, carolsCall.CallId);
    }

    [Fact]
    public async Task Dtmf_sent_as_SIP_INFO_raises_DtmfReceived_in_order()
    {
        var alice = await PartyAsync("alice");
        var bob = await PartyAsync("bob");
        var incoming = bob.AnswerCalls();
        var call = await alice.Agent.CallAsync(Uri("bob"));
        await call.Established.WaitAsync(Generous);
        var bobsCall = await incoming.WaitAsync(Generous);
        await bobsCall.Established.WaitAsync(Generous);
        var received = new List<char>();
        bobsCall.DtmfReceived += (_, e) =>
        {
            lock (received)
                received.Add(e.Digit);
        };

        foreach (var digit in "42*#")
            await call.SendDtmfInfoAsync(digit);

        await Eventually.True(() => { lock (received) return received.Count == 4; });
        Assert.Equal("42*#", new string(received.ToArray()));
    }

    [Fact]
    public async Task Ice_restart_renegotiates_new_credentials_and_audio_keeps_flowing()
    {
        var alice = await PartyAsync("alice", sayHz: 1000, listenHz: 1600);
        var bob = await PartyAsync("bob", sayHz: 1600, listenHz: 1000);
        var incoming = bob.AnswerCalls();
        var call = await alice.Agent.CallAsync(Uri("bob"));
        await call.Established.WaitAsync(Generous);
        await (await incoming.WaitAsync(Generous)).Established.WaitAsync(Generous);
        var ufragBefore = IceUfrag(call.PeerConnection.LocalDescription!.Sdp);

        await call.RestartIceAsync();

        Assert.NotEqual(ufragBefore, IceUfrag(call.PeerConnection.LocalDescription!.Sdp));
        alice.Probe.Hears.Reset();
        Assert.True(await alice.HearsToneAsync(TimeSpan.FromMilliseconds(300), Generous), "audio stopped after the ICE restart");
        Assert.Equal(CallState.Established, call.State);
    }

    [Fact]
    public async Task A_text_message_reaches_the_other_user_agent()
    {
        var alice = await PartyAsync("alice");
        var bob = await PartyAsync("bob");
        var received = new TaskCompletionSource<Sip.UserAgent.SipTextMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        bob.Agent.MessageReceived += (_, message) => received.TrySetResult(message);

        await alice.Agent.SendMessageAsync(SipUri.Parse(Uri("bob")), "hello, bob");

        var message = await received.Task.WaitAsync(Generous);
        Assert.Equal("hello, bob", message.Text);
        Assert.Equal("alice", message.From.SipUri!.User);
    }

    private static string IceUfrag(string sdp) =>
        sdp.Split('\n').First(l => l.StartsWith("a=ice-ufrag:", StringComparison.Ordinal)).Trim();
}
