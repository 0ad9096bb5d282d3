using Dialtone.Server;

namespace Dialtone.Phone.Tests.Calls;

/// <summary>
/// Real calls: two user agents register over WebSocket with the embedded registrar/proxy and call
/// each other with libwebrtc media (ICE on loopback, DTLS-SRTP, Opus), each saying its own tone.
/// </summary>
public sealed class CallThroughEmbeddedServerTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);
    private EmbeddedSipServer _server = null!;
    private Party _alice = null!;
    private Party _bob = null!;

    public async Task InitializeAsync()
    {
        _server = await EmbeddedSipServer.StartAsync();
        _alice = await Party.StartAsync(_server.WebSocketUri, _server.Domain, "alice", sayHz: 1000, listenHz: 1600);
        _bob = await Party.StartAsync(_server.WebSocketUri, _server.Domain, "bob", sayHz: 1600, listenHz: 1000);
    }

    public async Task DisposeAsync()
    {
        await _alice.DisposeAsync();
        await _bob.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Alice_calls_bob_each_hears_the_other_and_bob_sees_the_hangup()
    {
        var incoming = _bob.AnswerCalls();
        var call = await _alice.Agent.CallAsync($"sip:bob@{_server.Domain}");
        await call.Established.WaitAsync(Generous);
        var bobsCall = await incoming.WaitAsync(Generous);
        await bobsCall.Established.WaitAsync(Generous);

        Assert.True(await _bob.HearsToneAsync(TimeSpan.FromMilliseconds(500), Generous), "bob did not hear alice's 1000 Hz tone");
        Assert.True(await _alice.HearsToneAsync(TimeSpan.FromMilliseconds(500), Generous), "alice did not hear bob's 1600 Hz tone");

        await call.HangupAsync();
        Assert.Equal(CallEndReason.LocalHangup, (await call.Ended.WaitAsync(Generous)).Reason);
        Assert.Equal(CallEndReason.RemoteHangup, (await bobsCall.Ended.WaitAsync(Generous)).Reason);
    }

}
