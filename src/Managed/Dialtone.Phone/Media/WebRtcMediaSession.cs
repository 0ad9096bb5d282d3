using Dialtone.Phone.Network;
using Dialtone.WebRtc;

namespace Dialtone.Phone.Media;

/// <summary>
/// One call's media: a libwebrtc peer connection with one audio track, driven by SDP offer/answer
/// as SIP carries it — complete descriptions with every gathered candidate (no trickle ICE), hold
/// and resume by transceiver direction, DTMF as RFC 4733 telephone-events.
/// </summary>
internal sealed class WebRtcMediaSession : IAsyncDisposable
{
    private readonly PeerConnection _peerConnection;
    private readonly CallMediaOptions _options;
    private AudioTrack? _track;

    public WebRtcMediaSession(PeerConnectionFactory factory, CallMediaOptions options)
    {
        _options = options;
        _peerConnection = factory.CreatePeerConnection(options.PeerConnection);
    }

    public PeerConnection PeerConnection => _peerConnection;

    public AudioTrack? Track => _track;

    /// <summary>An initial offer with a sending and receiving audio track.</summary>
    public async Task<string> CreateOfferAsync(CancellationToken cancellationToken)
    {
        _track ??= _peerConnection.AddAudioTrack();
        return await OfferAsync(iceRestart: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A new offer for an established call: hold (sendonly), resume (sendrecv), or an ICE restart.</summary>
    public async Task<string> CreateReofferAsync(bool onHold, bool iceRestart, CancellationToken cancellationToken)
    {
        if (_track is not null)
            _track.Transceiver.Direction = onHold ? RtpTransceiverDirection.SendOnly : RtpTransceiverDirection.SendRecv;
        return await OfferAsync(iceRestart, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Applies the answer to our offer (a provisional one for early media, then the final one).</summary>
    public async Task AcceptAnswerAsync(string sdp, bool provisional, CancellationToken cancellationToken)
    {
        var type = provisional ? SdpType.PrAnswer : SdpType.Answer;
        try
        {
            await _peerConnection.SetRemoteDescriptionAsync(new SessionDescription(type, sdp), cancellationToken).ConfigureAwait(false);
        }
        catch (SessionDescriptionException e)
        {
            throw new MediaNegotiationException(e.Message, e);
        }
    }

    /// <summary>
    /// Takes a remote offer (initial or re-INVITE/UPDATE). Throws <see cref="MediaNegotiationException"/>
    /// with libwebrtc's reason when it cannot be used — e.g. plain RTP/AVP without ICE and DTLS — so
    /// the caller can answer 488 before ringing.
    /// </summary>
    public async Task ApplyRemoteOfferAsync(string sdp, CancellationToken cancellationToken)
    {
        try
        {
            await _peerConnection.SetRemoteDescriptionAsync(new SessionDescription(SdpType.Offer, sdp), cancellationToken).ConfigureAwait(false);
        }
        catch (SessionDescriptionException e)
        {
            throw new MediaNegotiationException(e.Message, e);
        }
    }

    /// <summary>The answer to the offer applied last, with every gathered candidate.</summary>
    public async Task<string> CreateAnswerAsync(CancellationToken cancellationToken)
    {
        // Like W3C addTrack: reuses the transceiver the offer created, so we send on its m-line.
        _track ??= _peerConnection.AddAudioTrack();
        var answer = await _peerConnection.CreateAnswerAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await _peerConnection.SetLocalDescriptionAsync(answer, cancellationToken).ConfigureAwait(false);
        await IceGatheringWait.WaitAsync(_peerConnection, _options.PeerConnection, _options.IceGatheringCap, _options.IceGatheringGrace, cancellationToken).ConfigureAwait(false);
        return _peerConnection.LocalDescription!.Sdp;
    }

    /// <summary>Drops an offer we sent that was refused (e.g. a re-INVITE answered 488), back to the last agreed state.</summary>
    public async Task RollbackAsync(CancellationToken cancellationToken)
    {
        if (_peerConnection.SignalingState == SignalingState.HaveLocalOffer)
            await _peerConnection.SetLocalDescriptionAsync(new SessionDescription(SdpType.Rollback, ""), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether the negotiated direction lets us send audio.</summary>
    public bool IsSending => _track?.Transceiver.CurrentDirection is RtpTransceiverDirection.SendRecv or RtpTransceiverDirection.SendOnly;

    /// <summary>Whether the negotiated direction lets us receive audio.</summary>
    public bool IsReceiving => _track?.Transceiver.CurrentDirection is RtpTransceiverDirection.SendRecv or RtpTransceiverDirection.RecvOnly;

    public bool Muted
    {
        get => _track?.Muted ?? false;
        set
        {
            if (_track is not null)
                _track.Muted = value;
        }
    }

    /// <summary>Whether DTMF can be sent now (telephone-event negotiated, sending).</summary>
    public bool CanSendDtmf => _track?.Dtmf.CanInsertDtmf == true;

    /// <summary>Sends DTMF as RFC 4733 telephone-events; throws when none was negotiated or the call is not sending.</summary>
    public void SendDtmf(string tones, TimeSpan duration, TimeSpan gap)
    {
        var track = _track ?? throw new InvalidOperationException("The call has no audio track yet.");
        track.Dtmf.InsertDtmf(tones, duration, gap);
    }

    public Task<RtcStatsReport> GetStatsAsync(CancellationToken cancellationToken) => _peerConnection.GetStatsAsync(cancellationToken);

    private async Task<string> OfferAsync(bool iceRestart, CancellationToken cancellationToken)
    {
        var offer = await _peerConnection.CreateOfferAsync(new OfferAnswerOptions { IceRestart = iceRestart }, cancellationToken).ConfigureAwait(false);
        await _peerConnection.SetLocalDescriptionAsync(offer, cancellationToken).ConfigureAwait(false);
        await IceGatheringWait.WaitAsync(_peerConnection, _options.PeerConnection, _options.IceGatheringCap, _options.IceGatheringGrace, cancellationToken).ConfigureAwait(false);
        return _peerConnection.LocalDescription!.Sdp;
    }

    public ValueTask DisposeAsync() => _peerConnection.DisposeAsync();
}
