using Dialtone.Bindings;
using Dialtone.WebRtc.Tests.Infrastructure;

namespace Dialtone.WebRtc.Tests.Native;

[Collection(NativeCollection.Name)]
public sealed class LifecycleTests
{
    [Fact]
    public void TheLoaderFindsTheLibraryAndItsAbiVersionMatches()
    {
        NativeLibraryLoader.EnsureLoaded();
        Assert.NotNull(NativeLibraryLoader.LoadedFrom);
        Assert.Equal(WebRtcShim.DT_ABI_VERSION, WebRtcShim.dt_abi_version());
    }

    [Fact]
    public async Task TwoHundredCreateConnectCloseCyclesLeakNothingAndRaiseNoEventAfterDispose()
    {
        var baseline = NativeDiagnostics.LiveObjects();
        int eventsAfterDispose = 0;
        var factoryA = new PeerConnectionFactory();
        var factoryB = new PeerConnectionFactory();
        for (int i = 0; i < 200; i++)
        {
            var a = factoryA.CreatePeerConnection();
            var b = factoryB.CreatePeerConnection();
            bool disposed = false;
            void Watch(PeerConnection pc)
            {
                pc.SignalingStateChanged += (_, _) => { if (Volatile.Read(ref disposed)) Interlocked.Increment(ref eventsAfterDispose); };
                pc.IceGatheringStateChanged += (_, _) => { if (Volatile.Read(ref disposed)) Interlocked.Increment(ref eventsAfterDispose); };
                pc.IceConnectionStateChanged += (_, _) => { if (Volatile.Read(ref disposed)) Interlocked.Increment(ref eventsAfterDispose); };
                pc.ConnectionStateChanged += (_, _) => { if (Volatile.Read(ref disposed)) Interlocked.Increment(ref eventsAfterDispose); };
                pc.NegotiationNeeded += (_, _) => { if (Volatile.Read(ref disposed)) Interlocked.Increment(ref eventsAfterDispose); };
                pc.TrackAdded += (_, _) => { if (Volatile.Read(ref disposed)) Interlocked.Increment(ref eventsAfterDispose); };
            }

            Watch(a);
            Watch(b);
            a.AddAudioTrack();

            // Odd cycles also carry a data channel, released with its connection.
            var remoteChannel = new TaskCompletionSource<DataChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
            b.DataChannelReceived += (_, e) =>
            {
                if (Volatile.Read(ref disposed))
                {
                    Interlocked.Increment(ref eventsAfterDispose);
                }

                e.Channel.StateChanged += (_, _) => { if (Volatile.Read(ref disposed)) Interlocked.Increment(ref eventsAfterDispose); };
                remoteChannel.TrySetResult(e.Channel);
            };
            if (i % 2 == 1)
            {
                var channel = a.CreateDataChannel("cycle");
                channel.StateChanged += (_, _) => { if (Volatile.Read(ref disposed)) Interlocked.Increment(ref eventsAfterDispose); };
            }

            await Loopback.ConnectAsync(a, b, trickle: true, beforeAnswer: () => b.AddAudioTrack());
            if (i % 2 == 1)
            {
                var channel = await remoteChannel.Task.WaitAsync(Loopback.Timeout);
                channel.Send("ping"); // some traffic in flight while it is torn down
            }
            if (i == 0)
            {
                // The counters see live objects: the leak check below can fail.
                var during = NativeDiagnostics.LiveObjects();
                Assert.Equal(baseline.PeerConnections + 2, during.PeerConnections);
                Assert.Equal(baseline.Factories + 2, during.Factories);
            }

            if (i == 1)
            {
                Assert.Equal(baseline.DataChannels + 2, NativeDiagnostics.LiveObjects().DataChannels);
            }
            if (i % 2 == 0)
            {
                a.Close(); // W3C close first on half of the cycles, plain dispose on the others
            }

            await a.DisposeAsync();
            await b.DisposeAsync();
            Volatile.Write(ref disposed, true);
        }

        factoryA.Dispose();
        factoryB.Dispose();

        // Give libwebrtc's threads a moment; any late event would be counted meanwhile.
        NativeObjectCounts now = NativeDiagnostics.LiveObjects();
        for (int wait = 0; wait < 50 && now != baseline; wait++)
        {
            await Task.Delay(100);
            now = NativeDiagnostics.LiveObjects();
        }

        await Task.Delay(500);
        Assert.Equal(baseline, now);
        Assert.Equal(0, Volatile.Read(ref eventsAfterDispose));
    }
}
