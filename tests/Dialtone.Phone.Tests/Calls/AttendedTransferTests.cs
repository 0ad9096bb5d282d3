namespace Dialtone.Phone.Tests.Calls;

/// <summary>
/// Attended transfer with three real user agents and real media through the embedded server:
/// alice calls bob, then carol (consultation), and transfers bob to carol (REFER with Replaces,
/// RFC 3891). Alice stays silent, so the tones bob and carol hear can only come from each other.
/// </summary>
public sealed class AttendedTransferTests : EmbeddedServerCallTests
{
    [Fact]
    public async Task Alice_transfers_bob_to_carol_attended_and_bob_and_carol_hear_each_other()
    {
        var alice = await PartyAsync("alice");
        var bob = await PartyAsync("bob", sayHz: 1000, listenHz: 1300);
        var carol = await PartyAsync("carol", sayHz: 1300, listenHz: 1000);
        var bobAnswers = bob.AnswerCalls();
        var carolAnswers = carol.AnswerCalls();

        var aliceToBob = await alice.Agent.CallAsync(Uri("bob"));
        await aliceToBob.Established.WaitAsync(Generous);
        var bobsCall = await bobAnswers.WaitAsync(Generous);
        await bobsCall.Established.WaitAsync(Generous);
        await aliceToBob.HoldAsync();

        var aliceToCarol = await alice.Agent.CallAsync(Uri("carol"));
        await aliceToCarol.Established.WaitAsync(Generous);
        var carolsCall = await carolAnswers.WaitAsync(Generous);
        await carolsCall.Established.WaitAsync(Generous);

        var bobTransferred = new TaskCompletionSource<TransferRequestedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        bobsCall.TransferRequested += (_, e) => bobTransferred.TrySetResult(e);
        var carolReplaced = new TaskCompletionSource<CallReplacedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        carolsCall.Replaced += (_, e) => carolReplaced.TrySetResult(e);
        var carolIncoming = 0;
        carol.Agent.IncomingCall += (_, _) => Interlocked.Increment(ref carolIncoming);

        var status = await aliceToBob.TransferAsync(aliceToCarol, Generous);

        Assert.Equal(200, status);
        var bobsNewCall = (await bobTransferred.Task.WaitAsync(Generous)).NewCall;
        var carolsNewCall = (await carolReplaced.Task.WaitAsync(Generous)).NewCall;
        Assert.Same(carolsCall, carolsNewCall.ReplacedCall);
        Assert.Equal(bobsNewCall.CallId, carolsNewCall.CallId);
        await bobsNewCall.Established.WaitAsync(Generous);
        await carolsNewCall.Established.WaitAsync(Generous);
        Assert.Equal(0, Volatile.Read(ref carolIncoming)); // answered without ringing: carol had accepted alice's call

        Assert.Equal(CallEndReason.Transferred, (await aliceToBob.Ended.WaitAsync(Generous)).Reason);
        Assert.Equal(CallEndReason.Transferred, (await aliceToCarol.Ended.WaitAsync(Generous)).Reason);
        Assert.Equal(CallEndReason.Transferred, (await bobsCall.Ended.WaitAsync(Generous)).Reason);
        Assert.Equal(CallEndReason.Transferred, (await carolsCall.Ended.WaitAsync(Generous)).Reason);
        Assert.Empty(alice.Agent.Calls);

        Assert.True(await carol.HearsToneAsync(TimeSpan.FromMilliseconds(300), Generous), "carol did not hear bob");
        Assert.True(await bob.HearsToneAsync(TimeSpan.FromMilliseconds(300), Generous), "bob did not hear carol");
        Assert.Equal(CallState.Established, bobsNewCall.State);
        Assert.Equal(CallState.Established, carolsNewCall.State);
    }
}
