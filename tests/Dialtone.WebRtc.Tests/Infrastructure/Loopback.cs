namespace Dialtone.WebRtc.Tests.Infrastructure;

/// <summary>Offer/answer between two peer connections of this process, over 127.0.0.1.</summary>
public static class Loopback
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Connects <paramref name="caller"/> and <paramref name="callee"/> the SIP way (complete SDPs with
    /// every candidate, no trickle) or with trickle ICE. <paramref name="beforeAnswer"/> runs on the
    /// callee after it took the offer (add its track there).
    /// </summary>
    public static async Task ConnectAsync(PeerConnection caller, PeerConnection callee, bool trickle = false, Action? beforeAnswer = null)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var ct = cts.Token;
        var offer = await caller.CreateOfferAsync(cancellationToken: ct);
        await caller.SetLocalDescriptionAsync(offer, ct);
        if (!trickle)
        {
            Assert.True(await caller.WaitForIceGatheringCompleteAsync(TimeSpan.FromSeconds(10), ct), "caller ICE gathering did not complete");
            offer = caller.LocalDescription!;
        }

        await callee.SetRemoteDescriptionAsync(offer, ct);
        beforeAnswer?.Invoke();
        var answer = await callee.CreateAnswerAsync(cancellationToken: ct);
        await callee.SetLocalDescriptionAsync(answer, ct);
        if (!trickle)
        {
            Assert.True(await callee.WaitForIceGatheringCompleteAsync(TimeSpan.FromSeconds(10), ct), "callee ICE gathering did not complete");
            answer = callee.LocalDescription!;
        }

        await caller.SetRemoteDescriptionAsync(answer, ct);
        if (trickle)
        {
            _ = ForwardCandidatesAsync(caller, callee);
            _ = ForwardCandidatesAsync(callee, caller);
        }

        await Task.WhenAll(WaitForStateAsync(caller, PeerConnectionState.Connected), WaitForStateAsync(callee, PeerConnectionState.Connected));
    }

    /// <summary>A new offer/answer round on a connected pair (hold, unhold, ICE restart), complete SDPs.</summary>
    public static async Task RenegotiateAsync(PeerConnection caller, PeerConnection callee)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var ct = cts.Token;
        await caller.SetLocalDescriptionAsync(await caller.CreateOfferAsync(cancellationToken: ct), ct);
        Assert.True(await caller.WaitForIceGatheringCompleteAsync(TimeSpan.FromSeconds(10), ct), "caller ICE gathering did not complete");
        await callee.SetRemoteDescriptionAsync(caller.LocalDescription!, ct);
        await callee.SetLocalDescriptionAsync(await callee.CreateAnswerAsync(cancellationToken: ct), ct);
        Assert.True(await callee.WaitForIceGatheringCompleteAsync(TimeSpan.FromSeconds(10), ct), "callee ICE gathering did not complete");
        await caller.SetRemoteDescriptionAsync(callee.LocalDescription!, ct);
    }

    public static async Task WaitForStateAsync(PeerConnection pc, PeerConnectionState wanted)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChange(object? sender, StateChangedEventArgs<PeerConnectionState> e)
        {
            if (e.State == wanted)
            {
                reached.TrySetResult();
            }
            else if (e.State is PeerConnectionState.Failed or PeerConnectionState.Closed)
            {
                reached.TrySetException(new InvalidOperationException($"connection went {e.State} while waiting for {wanted}"));
            }
        }

        pc.ConnectionStateChanged += OnChange;
        try
        {
            if (pc.ConnectionState == wanted)
            {
                return;
            }

            await reached.Task.WaitAsync(Timeout);
        }
        finally
        {
            pc.ConnectionStateChanged -= OnChange;
        }
    }

    private static async Task ForwardCandidatesAsync(PeerConnection from, PeerConnection to)
    {
        try
        {
            await foreach (var candidate in from.IceCandidates.ReadAllAsync())
            {
                await to.AddIceCandidateAsync(candidate);
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or WebRtcException or OperationCanceledException)
        {
            // One side went away: the cycle is over.
        }
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value or the time runs out.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, TimeSpan within, string what) where T : class
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {within.TotalSeconds} s waiting for {what}");
            }

            await Task.Delay(100);
        }
    }
}

/// <summary>Native tests share one collection: they run one after another (2 CPU cores; live-object counts).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeCollection
{
    public const string Name = "native libwebrtc";
}
