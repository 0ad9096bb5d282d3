using Dialtone.WebRtc.Tests.Infrastructure;

namespace Dialtone.WebRtc.Tests.Native;

/// <summary>User code never runs on libwebrtc's threads; disposal from a handler and cancellation behave.</summary>
[Collection(NativeCollection.Name)]
public sealed class ThreadingTests
{
    [Fact]
    public async Task EventsAndContinuationsRunOnThreadPoolThreadsInOrder()
    {
        using var factory = new PeerConnectionFactory();
        await using var a = factory.CreatePeerConnection();
        await using var b = factory.CreatePeerConnection();
        var handlerThreads = new List<(bool Pool, string? Name)>();
        var states = new List<SignalingState>();
        a.SignalingStateChanged += (_, e) =>
        {
            lock (states)
            {
                states.Add(e.State);
                handlerThreads.Add((Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name));
            }
        };
        a.ConnectionStateChanged += (_, _) =>
        {
            lock (states)
            {
                handlerThreads.Add((Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name));
            }
        };
        a.AddAudioTrack();

        // Without a synchronization context the continuation runs where the task completes: on the
        // thread pool (RunContinuationsAsynchronously), never inline on libwebrtc's signalling thread.
        var (offer, onPool, threadName) = await Task.Run(async () =>
        {
            var o = await a.CreateOfferAsync();
            return (o, Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name);
        });
        Assert.True(onPool, $"continuation ran on '{threadName}'");
        await a.SetLocalDescriptionAsync(offer);
        await b.SetRemoteDescriptionAsync(offer);
        b.AddAudioTrack();
        var answer = await b.CreateAnswerAsync();
        await b.SetLocalDescriptionAsync(answer);
        await a.SetRemoteDescriptionAsync(answer);
        _ = ForwardAsync(a, b);
        _ = ForwardAsync(b, a);
        await Loopback.WaitForStateAsync(a, PeerConnectionState.Connected);
        // Each event reaches its handler through the thread pool: the signalling-state events need not
        // have arrived when the connection-state one did (a loaded run saw only the first) — wait, bounded.
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(20))
        {
            lock (states)
            {
                if (states.Count >= 2)
                    break;
            }
        }

        lock (states)
        {
            Assert.Equal([SignalingState.HaveLocalOffer, SignalingState.Stable], states);
            Assert.NotEmpty(handlerThreads);
            Assert.All(handlerThreads, t => Assert.True(t.Pool, $"a handler ran on non-pool thread '{t.Name}'"));
        }
    }

    [Fact]
    public async Task DisposingFromItsOwnEventHandlerCompletes()
    {
        using var factory = new PeerConnectionFactory();
        var a = factory.CreatePeerConnection();
        await using var b = factory.CreatePeerConnection();
        var disposedInHandler = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.SignalingStateChanged += async (_, e) =>
        {
            if (e.State == SignalingState.HaveLocalOffer)
            {
                await a.DisposeAsync();
                disposedInHandler.TrySetResult();
            }
        };
        a.AddAudioTrack();
        await a.SetLocalDescriptionAsync(await a.CreateOfferAsync());
        await disposedInHandler.Task.WaitAsync(Loopback.Timeout);
        Assert.Throws<ObjectDisposedException>(() => a.SignalingState);
        await a.DisposeAsync();
    }

    [Fact]
    public async Task ACancelledTokenStopsTheWait()
    {
        using var factory = new PeerConnectionFactory();
        await using var pc = factory.CreatePeerConnection();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pc.CreateOfferAsync(cancellationToken: cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pc.WaitForIceGatheringCompleteAsync(TimeSpan.FromSeconds(5), cts.Token));

        // The connection is unaffected.
        var offer = await pc.CreateOfferAsync();
        Assert.Equal(SdpType.Offer, offer.Type);
    }

    private static async Task ForwardAsync(PeerConnection from, PeerConnection to)
    {
        try
        {
            await foreach (var c in from.IceCandidates.ReadAllAsync())
            {
                await to.AddIceCandidateAsync(c);
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or WebRtcException)
        {
        }
    }
}
