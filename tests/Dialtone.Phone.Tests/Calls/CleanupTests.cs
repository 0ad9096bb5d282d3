using Dialtone.Server;
using Dialtone.WebRtc;

namespace Dialtone.Phone.Tests.Calls;

/// <summary>
/// Calls that end, whichever way, leave no native peer connection or transceiver behind. The counts
/// are process-wide, so this runs alone, never beside other tests' calls.
/// </summary>
[Collection(NativeObjectCountCollection.Name)]
public sealed class CleanupTests
{
    [Fact]
    public async Task Ended_calls_release_their_native_objects()
    {
        await using var server = await EmbeddedSipServer.StartAsync();
        await using var alice = await Party.StartAsync(server.WebSocketUri, server.Domain, "alice", 0, 1000);
        await using var bob = await Party.StartAsync(server.WebSocketUri, server.Domain, "bob", 0, 1000);
        var baseline = NativeDiagnostics.LiveObjects();
        var answer = true;
        bob.Agent.IncomingCall += (_, e) => _ = answer ? e.Call.AnswerAsync() : e.Call.RejectAsync(486);

        // Hung up by the caller, by the callee, and rejected.
        var first = await alice.Agent.CallAsync($"sip:bob@{server.Domain}");
        await first.Established.WaitAsync(Eventually.Generous);
        Assert.True(NativeDiagnostics.LiveObjects().PeerConnections >= baseline.PeerConnections + 2, "a call holds two peer connections");
        await first.HangupAsync();
        var second = await alice.Agent.CallAsync($"sip:bob@{server.Domain}");
        await second.Established.WaitAsync(Eventually.Generous);
        await bob.Agent.Calls.Single().HangupAsync();
        await second.Ended.WaitAsync(Eventually.Generous);
        answer = false;
        var third = await alice.Agent.CallAsync($"sip:bob@{server.Domain}");
        await third.Ended.WaitAsync(Eventually.Generous);

        await Eventually.True(() => NativeDiagnostics.LiveObjects() == baseline, "native objects back to the baseline");
        Assert.Equal(baseline, NativeDiagnostics.LiveObjects());
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeObjectCountCollection
{
    public const string Name = "native object counts";
}
