using Dialtone.WebRtc.Interop;

namespace Dialtone.WebRtc;

// The awaiting half of PeerConnection (no unsafe code may sit in an async method).
public sealed partial class PeerConnection
{
    /// <summary>Adds a remote candidate. Throws <see cref="IceCandidateException"/> when it cannot be parsed or its m-line is unknown.</summary>
    public async Task AddIceCandidateAsync(IceCandidate candidate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        cancellationToken.ThrowIfCancellationRequested();
        var op = new PendingOperation<bool>("AddIceCandidate");
        StartAddIceCandidate(candidate, op);
        await op.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until ICE gathering is complete, at most <paramref name="cap"/>. Returns false when the cap
    /// was reached first (send the candidates gathered so far). SIP is not trickle ICE: call this after
    /// SetLocalDescriptionAsync and send <see cref="LocalDescription"/>.
    /// </summary>
    public async Task<bool> WaitForIceGatheringCompleteAsync(TimeSpan cap, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(cap);
        while (true)
        {
            var progress = IceProgress;
            if (progress.Gathering == IceGatheringState.Complete)
            {
                return true;
            }

            try
            {
                await progress.Changed.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return IceProgress.Gathering == IceGatheringState.Complete;
            }
        }
    }

    /// <summary>W3C getStats: the whole report, parsed.</summary>
    public async Task<RtcStatsReport> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var op = new PendingOperation<string>("GetStats");
        StartGetStats(op);
        string json = await op.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return RtcStatsReport.Parse(json);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        DataChannel[] channels;
        lock (gate)
        {
            channels = [.. dataChannels];
            dataChannels.Clear();
            channelsTaken = true;
        }

        foreach (var channel in channels)
        {
            channel.ReleaseNative();
        }

        // Blocks until no callback of the connection runs; after it, none runs again.
        handle.Dispose();
        iceCandidates.Writer.TryComplete();
        lock (gate)
        {
            iceChanged.TrySetResult();
        }

        foreach (var channel in channels)
        {
            channel.CompleteMessages();
        }

        await dispatcher.StopAsync().ConfigureAwait(false);
    }

    private async Task<SessionDescription> CreateDescriptionAsync(bool offer, OfferAnswerOptions? options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var op = new PendingOperation<SessionDescription>(offer ? "CreateOffer" : "CreateAnswer");
        StartCreateDescription(offer, options ?? new OfferAnswerOptions(), op);
        return await op.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task SetDescriptionAsync(bool local, SessionDescription description, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(description.Sdp, nameof(description.Sdp));
        cancellationToken.ThrowIfCancellationRequested();
        var op = new PendingOperation<bool>(local ? "SetLocalDescription" : "SetRemoteDescription");
        // New local ICE credentials (the first description, or an ICE restart) begin a new gathering: count its
        // candidates from none, before libwebrtc can report the first of them.
        // Gathering is "gathering" from here: libwebrtc reports that on a task it posts, which may run after this
        // call completes, and a waiter must not take the old gathering's "complete" for the new one's.
        string? before = null;
        IceCandidateTypes typesBefore = default;
        IceGatheringState gatheringBefore = default;
        var newCredentials = false;
        if (local && IceCandidateLine.UfragOfDescription(description.Sdp) is { } ufrag)
        {
            lock (gate)
            {
                (before, typesBefore, gatheringBefore) = (localUfrag, localCandidateTypes, iceGathering);
                if (ufrag != localUfrag)
                {
                    (localUfrag, localCandidateTypes, iceGathering, newCredentials) = (ufrag, IceCandidateTypes.None, IceGatheringState.Gathering, true);
                }
            }
        }

        try
        {
            StartSetDescription(local, description, op);
            await op.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (newCredentials && e is not OperationCanceledException)
        {
            lock (gate)
            {
                (localUfrag, localCandidateTypes, iceGathering) = (before, typesBefore, gatheringBefore); // refused: the old credentials stay (a wait cancelled is not a refusal)
            }

            throw;
        }
    }
}
