using Dialtone.Phone.Network;
using Dialtone.Sip.Sessions;
using Dialtone.WebRtc;

namespace Dialtone.Phone.Media;

/// <summary>
/// One call's media as a libwebrtc peer connection with one audio track — the WebRTC
/// <see cref="ISessionMediaHandler"/>: complete SDP with every gathered candidate (no trickle ICE),
/// hold and resume by transceiver direction, DTMF as RFC 4733 telephone-events both ways (received
/// ones read from the RTP packets: <see cref="DtmfReceived"/>). It also watches the media: ICE/DTLS
/// failure, or nothing received on the selected path for <see cref="CallMediaOptions.MediaTimeout"/>,
/// raises <see cref="MediaFailed"/> so the session ends the call.
/// The track is the factory's device (shared by every call) or, on an <see cref="AudioDeviceKind.PerCall"/>
/// factory, the call's own <see cref="CallAudioSource"/> (WebRtcMediaHandler.CallAudio.cs).
/// </summary>
public sealed partial class WebRtcMediaHandler : ISessionMediaHandler
{
    private readonly PeerConnection _peerConnection;
    private readonly CallMediaOptions _options;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _watch = new();
    private AudioTrack? _track;
    private string? _lastAnswer;
    private int _failed;
    private int _watching;
    private int _peerConnectionReleased;
    private RtcStatsReport? _finalStats;

    /// <summary>How long release waits for the last statistics report (a hung peer connection must not hold up hang-up).</summary>
    private static readonly TimeSpan FinalStatsWait = TimeSpan.FromSeconds(1);

    public WebRtcMediaHandler(PeerConnectionFactory factory, CallMediaOptions options, TimeProvider? timeProvider = null)
        : this(factory, options, timeProvider, request: null)
    {
    }

    /// <param name="request">Why the session wants media; chooses the per-call audio options (<see cref="CallMediaOptions.ChooseCallAudio"/>).</param>
    public WebRtcMediaHandler(PeerConnectionFactory factory, CallMediaOptions options, TimeProvider? timeProvider, SessionMediaRequest? request)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _perCall = factory.Options.AudioDevice == AudioDeviceKind.PerCall;
        _callAudioOptions = _perCall ? ChooseCallAudio(options, request) : null;
        _peerConnection = factory.CreatePeerConnection(options.PeerConnection);
        _peerConnection.ConnectionStateChanged += OnConnectionStateChanged;
        // An outgoing call (or an INVITE without SDP) makes the first offer: its track can be there at once,
        // so the application may attach sinks before the call is answered.
        if (request is { Direction: SessionDirection.Outgoing } or { RemoteOffer: null })
        {
            try
            {
                EnsureTrack();
            }
            catch
            {
                // Nobody will own this handler: do not leave its peer connection behind.
                _peerConnection.ConnectionStateChanged -= OnConnectionStateChanged;
                _ = _peerConnection.DisposeAsync().AsTask().ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
                throw;
            }
        }
    }

    public string ContentType => "application/sdp";

    public PeerConnection PeerConnection => _peerConnection;

    /// <summary>The call's track on a device factory (shared device); null in per-call mode (<see cref="CallTrack"/>).</summary>
    public AudioTrack? Track => _track;

    public event EventHandler<SessionMediaFailedEventArgs>? MediaFailed;

    public async Task<string> CreateOfferAsync(SessionOfferOptions options, CancellationToken cancellationToken)
    {
        var transceiver = EnsureTrack();
        transceiver.Direction = options.Hold ? RtpTransceiverDirection.SendOnly : RtpTransceiverDirection.SendRecv;
        var offer = await _peerConnection.CreateOfferAsync(new OfferAnswerOptions { IceRestart = options.IceRestart }, cancellationToken).ConfigureAwait(false);
        await _peerConnection.SetLocalDescriptionAsync(offer, cancellationToken).ConfigureAwait(false);
        await IceGatheringWait.WaitAsync(_peerConnection, _options.PeerConnection, _options.IceGatheringCap, _options.IceGatheringGrace, cancellationToken).ConfigureAwait(false);
        return _peerConnection.LocalDescription!.Sdp;
    }

    public async Task SetRemoteAnswerAsync(string body, bool provisional, CancellationToken cancellationToken)
    {
        var type = provisional ? SdpType.PrAnswer : SdpType.Answer;
        try
        {
            await _peerConnection.SetRemoteDescriptionAsync(new SessionDescription(type, body), cancellationToken).ConfigureAwait(false);
        }
        catch (SessionDescriptionException e)
        {
            throw new MediaNegotiationException(e.Message, e);
        }
    }

    /// <summary>
    /// Takes a remote offer. Throws <see cref="MediaNegotiationException"/> with libwebrtc's reason
    /// when it cannot be used — e.g. plain RTP/AVP without ICE and DTLS — so the session answers 488.
    /// </summary>
    public async Task<RemoteOfferInfo> SetRemoteOfferAsync(string body, CancellationToken cancellationToken)
    {
        try
        {
            await _peerConnection.SetRemoteDescriptionAsync(new SessionDescription(SdpType.Offer, body), cancellationToken).ConfigureAwait(false);
        }
        catch (SessionDescriptionException e)
        {
            throw new MediaNegotiationException(e.Message, e);
        }
        _lastAnswer = null;
        // Like W3C addTrack: reuses the transceiver the offer created, so we send on its m-line.
        EnsureTrack();
        return new RemoteOfferInfo(SdpInspector.IsHold(body));
    }

    public async Task<string> CreateAnswerAsync(CancellationToken cancellationToken)
    {
        if (_lastAnswer is not null && _peerConnection.SignalingState == SignalingState.Stable)
            return _lastAnswer;
        EnsureTrack();
        var answer = await _peerConnection.CreateAnswerAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await _peerConnection.SetLocalDescriptionAsync(answer, cancellationToken).ConfigureAwait(false);
        await IceGatheringWait.WaitAsync(_peerConnection, _options.PeerConnection, _options.IceGatheringCap, _options.IceGatheringGrace, cancellationToken).ConfigureAwait(false);
        return _lastAnswer = _peerConnection.LocalDescription!.Sdp;
    }

    public async Task RollbackAsync(CancellationToken cancellationToken)
    {
        if (_peerConnection.SignalingState == SignalingState.HaveLocalOffer)
            await _peerConnection.SetLocalDescriptionAsync(new SessionDescription(SdpType.Rollback, ""), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether the negotiated direction lets us send audio.</summary>
    public bool IsSending => _transceiver?.CurrentDirection is RtpTransceiverDirection.SendRecv or RtpTransceiverDirection.SendOnly;

    /// <summary>Whether the negotiated direction lets us receive audio.</summary>
    public bool IsReceiving => _transceiver?.CurrentDirection is RtpTransceiverDirection.SendRecv or RtpTransceiverDirection.RecvOnly;

    public bool Muted
    {
        get => _transceiver?.Muted ?? false;
        set
        {
            if (_transceiver is not null)
                _transceiver.Muted = value;
        }
    }

    /// <summary>Whether DTMF can be sent now (telephone-event negotiated, sending).</summary>
    public bool CanSendDtmf => _transceiver?.Dtmf.CanInsertDtmf == true;

    /// <summary>Sends DTMF as RFC 4733 telephone-events; throws when none was negotiated or the call is not sending.</summary>
    public void SendDtmf(string tones, TimeSpan duration, TimeSpan gap)
    {
        var transceiver = _transceiver ?? throw new InvalidOperationException("The call has no audio track yet.");
        transceiver.Dtmf.InsertDtmf(tones, duration, gap);
    }

    /// <summary>
    /// The call's W3C statistics; once the call has ended, the last report taken as its media was
    /// released (an application logs a finished call's figures then, after the peer connection is gone).
    /// </summary>
    /// <exception cref="InvalidOperationException">The call ended and no last report could be taken.</exception>
    public async Task<RtcStatsReport> GetStatsAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _peerConnectionReleased) == 0)
        {
            try
            {
                return await _peerConnection.GetStatsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException) when (Volatile.Read(ref _peerConnectionReleased) != 0)
            {
                // Released while we asked: answer like any ended call.
            }
        }
        return _finalStats ?? throw new InvalidOperationException("The call has ended and its media is released; no last statistics report was taken.");
    }

    private void OnConnectionStateChanged(object? sender, StateChangedEventArgs<PeerConnectionState> e)
    {
        switch (e.State)
        {
            case PeerConnectionState.Connected when _options.MediaTimeout is { } timeout && Interlocked.Exchange(ref _watching, 1) == 0:
                _ = WatchInactivityAsync(timeout);
                break;
            case PeerConnectionState.Failed:
                Fail("ICE/DTLS failed: the media path to the peer is gone");
                break;
        }
    }

    /// <summary>Nothing received on the selected candidate pair (RTP, RTCP, ICE consent) for <paramref name="timeout"/>: the peer is gone.</summary>
    private async Task WatchInactivityAsync(TimeSpan timeout)
    {
        var interval = TimeSpan.FromTicks(Math.Max(timeout.Ticks / 6, TimeSpan.FromMilliseconds(200).Ticks));
        long? lastBytes = null;
        var lastChange = _time.GetUtcNow();
        try
        {
            while (!_watch.IsCancellationRequested)
            {
                await Task.Delay(interval, _time, _watch.Token).ConfigureAwait(false);
                var bytes = (await _peerConnection.GetStatsAsync(_watch.Token).ConfigureAwait(false)).SelectedCandidatePair?.BytesReceived;
                var now = _time.GetUtcNow();
                if (bytes != lastBytes)
                {
                    lastBytes = bytes;
                    lastChange = now;
                }
                else if (now - lastChange >= timeout)
                {
                    Fail($"no RTP/RTCP from the peer for {timeout.TotalSeconds:0.#} s");
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or WebRtcException)
        {
            // Released, or the peer connection closed under us: nothing left to watch.
        }
    }

    private void Fail(string reason)
    {
        if (Interlocked.Exchange(ref _failed, 1) == 0)
            MediaFailed?.Invoke(this, new SessionMediaFailedEventArgs(reason));
    }

    public async ValueTask DisposeAsync()
    {
        _watch.Cancel();
        _peerConnection.ConnectionStateChanged -= OnConnectionStateChanged;
        await TakeFinalStatsAsync().ConfigureAwait(false);
        Volatile.Write(ref _peerConnectionReleased, 1);
        // Recordings completed and sources stopped before the peer connection goes.
        ReleaseCallAudio();
        await _peerConnection.DisposeAsync().ConfigureAwait(false);
    }

    private async Task TakeFinalStatsAsync()
    {
        try
        {
            _finalStats = await _peerConnection.GetStatsAsync().WaitAsync(FinalStatsWait).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or ObjectDisposedException or WebRtcException)
        {
            // No last report: GetStatsAsync says so after release.
        }
    }
}

/// <summary>
/// Makes a <see cref="WebRtcMediaHandler"/> per session, on one factory: one audio device and one echo
/// canceller for every call, or (<see cref="AudioDeviceKind.PerCall"/>) each call with its own source and sinks.
/// </summary>
public sealed class WebRtcMediaHandlerFactory(PeerConnectionFactory factory, CallMediaOptions options, TimeProvider? timeProvider = null) : ISessionMediaHandlerFactory
{
    public ISessionMediaHandler Create(SessionMediaRequest request) => new WebRtcMediaHandler(factory, options, timeProvider, request);
}
