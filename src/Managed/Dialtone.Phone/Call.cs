using Dialtone.Phone.Media;
using Dialtone.Phone.Media.Legacy;
using Dialtone.Sip.Events;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sessions;
using Dialtone.WebRtc;
using Microsoft.Extensions.Logging;

namespace Dialtone.Phone;

/// <summary>
/// One call: a SIP INVITE session (<see cref="Sip.Sessions.Session"/>, which does all the
/// signalling) joined to its libwebrtc media (<see cref="WebRtcMediaHandler"/>: Opus, DTLS-SRTP,
/// the factory's audio device and echo canceller). Created by <see cref="UserAgent.CallAsync(UriReference, CancellationToken)"/>
/// or handed over by <see cref="UserAgent.IncomingCalls"/> / <see cref="UserAgent.IncomingCall"/>.
/// Events are raised in order on thread-pool threads, never on a libwebrtc or SIP stack thread;
/// a handler that throws is logged and does not stop the next event.
/// </summary>
public sealed partial class Call : IAsyncDisposable
{
    private readonly WebRtcMediaHandler? _media;
    private readonly LegacyMediaHandler? _legacy;
    private readonly ILogger _logger;
    private readonly OrderedEventQueue _events;
    private readonly TaskCompletionSource _mediaConnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<Session, Call?> _callOf;

    internal Call(Session session, ILoggerFactory loggers, Func<Session, Call?> callOf)
    {
        Session = session;
        _callOf = callOf;
        // Resolved now, while the replaced call is live: the user agent forgets a call once its media is released.
        ReplacedCall = session is Invitation { Replaces: { } replaced } ? callOf(replaced) : null;
        // WebRTC (peer connection) or, for carriers and PBXs, plain RTP/SDES (Media/Legacy): MediaPolicy chose.
        _media = session.Media as WebRtcMediaHandler;
        _legacy = session.Media as LegacyMediaHandler;
        _logger = loggers.CreateLogger<Call>();
        _events = new OrderedEventQueue(_logger, $"call {session.CallId}");
        Established = Translate(session.Established);
        Ended = session.Ended.ContinueWith(t => ToCallEnd(t.Result), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        // Observed so a call that ends before anyone awaits it leaves no unobserved exception.
        Established.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        _mediaConnected.Task.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        if (_media is not null)
        {
            _media.PeerConnection.ConnectionStateChanged += (_, e) =>
            {
                if (e.State == PeerConnectionState.Connected)
                    _mediaConnected.TrySetResult();
            };
        }
        if (_legacy is not null)
        {
            _legacy.FirstPacketReceived.ContinueWith(_ => _mediaConnected.TrySetResult(), CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            // RFC 4733 events arrive decoded from the RTP of a legacy call: raised like SIP INFO digits.
            _legacy.DtmfReceived += (_, e) =>
            {
                if (e.Ended && e.Tone is char digit)
                    _events.Raise(this, DtmfReceived, new DtmfReceivedEventArgs(digit, e.Duration));
            };
        }
        session.StateChanged += (_, e) =>
        {
            var end = e.End is null ? null : ToCallEnd(e.End);
            if (end is not null)
                _mediaConnected.TrySetException(new CallFailedException(end));
            _events.Raise(this, StateChanged, new CallStateChangedEventArgs(ToCallState(e.Previous), ToCallState(e.State), end));
        };
        session.DtmfReceived += (_, e) => _events.Raise(this, DtmfReceived, new DtmfReceivedEventArgs(e.Digit, e.Duration) { Transport = DtmfTransport.SipInfo });
        session.Referred += (_, e) =>
        {
            if (_callOf(e.NewSession) is { } newCall)
                _events.Raise(this, TransferRequested, new TransferRequestedEventArgs(e.Target, newCall));
        };
        AttachCallAudio();
        AttachTransfer(session);   // Call.Transfer.cs
    }

    /// <summary>The SIP session behind the call (signalling state, dialog operations such as UPDATE).</summary>
    public Session Session { get; }

    public string CallId => Session.CallId;

    public CallDirection Direction => Session.Direction == SessionDirection.Outgoing ? CallDirection.Outgoing : CallDirection.Incoming;

    /// <summary>Our side: From for an outgoing call, To for an incoming one.</summary>
    public SipAddress LocalIdentity => Session.LocalIdentity;

    /// <summary>The peer: whom we called, or who called us.</summary>
    public SipAddress RemoteIdentity => Session.RemoteIdentity;

    public CallState State => ToCallState(Session.State);

    /// <summary>We put the call on hold.</summary>
    public bool IsLocalHold => Session.IsLocalHold;

    /// <summary>The peer put the call on hold.</summary>
    public bool IsRemoteHold => Session.IsRemoteHold;

    /// <summary>The call's libwebrtc peer connection, for statistics and advanced use.</summary>
    public PeerConnection PeerConnection => _media?.PeerConnection
        ?? throw new InvalidOperationException("This call's media is plain RTP or SDES-SRTP (see LegacyMedia), not a peer connection.");

    /// <summary>The plain RTP / SDES-SRTP media of a call with a carrier or PBX; null for a WebRTC call.</summary>
    public LegacyMediaHandler? LegacyMedia => _legacy;

    /// <summary>False only for a plain RTP/AVP call (allowed by LegacyMediaOptions.AllowUnencryptedMedia).</summary>
    public bool IsMediaEncrypted => _legacy?.IsEncrypted ?? true;

    /// <summary>Completes when the call is established; faults with <see cref="CallFailedException"/> if it ends first.</summary>
    public Task Established { get; }

    /// <summary>
    /// Completes when the media path is up (ICE connected, DTLS done) — on the callee this may be
    /// before the ACK, on the caller shortly after <see cref="Established"/>. Faults with
    /// <see cref="CallFailedException"/> if the call ends first.
    /// </summary>
    public Task MediaConnected => _mediaConnected.Task;

    /// <summary>Completes with how the call ended.</summary>
    public Task<CallEnd> Ended { get; }

    /// <summary>
    /// Completes shortly after <see cref="Ended"/>, once the call's media is released: its recordings
    /// (<see cref="Call.Audio"/>) are complete on disk and its sockets closed. <see cref="DisposeAsync"/> waits for it.
    /// </summary>
    public Task MediaReleased => Session.MediaReleased;

    public event EventHandler<CallStateChangedEventArgs>? StateChanged;

    /// <summary>
    /// A digit the peer sent: an RFC 4733 telephone-event in the media (read from the RTP, once per event,
    /// when it ends) or a SIP INFO request — see <see cref="DtmfReceivedEventArgs.Transport"/>. In order.
    /// </summary>
    public event EventHandler<DtmfReceivedEventArgs>? DtmfReceived;

    /// <summary>The peer transferred us (REFER): the user agent is calling the target; this call ends when that call is up.</summary>
    public event EventHandler<TransferRequestedEventArgs>? TransferRequested;

    // ---- media ----

    /// <summary>
    /// Sends DTMF as RFC 4733 telephone-events in the media (what browsers and gateways expect), at
    /// once: throws when the media is not up yet. <see cref="SendDtmfAsync"/> waits for it.
    /// </summary>
    public void SendDtmf(string digits, TimeSpan? duration = null, TimeSpan? gap = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(digits);
        if (_legacy is not null)
            _legacy.SendDtmf(digits, duration ?? TimeSpan.FromMilliseconds(120), gap ?? TimeSpan.FromMilliseconds(80));
        else
            _media!.SendDtmf(digits, duration ?? TimeSpan.FromMilliseconds(120), gap ?? TimeSpan.FromMilliseconds(80));
    }

    /// <summary>
    /// Sends DTMF as RFC 4733 telephone-events once the peer can hear them: waits for the media to
    /// connect and for the first audio packets from the peer (its jitter buffer drops events that
    /// arrive before its audio starts), at most <paramref name="maxWait"/> (5 s by default).
    /// </summary>
    public async Task SendDtmfAsync(string digits, TimeSpan? duration = null, TimeSpan? gap = null, TimeSpan? maxWait = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(digits);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(maxWait ?? TimeSpan.FromSeconds(5));
        try
        {
            await MediaConnected.WaitAsync(timeout.Token).ConfigureAwait(false);
            while (!await PeerHearsDtmfAsync(timeout.Token).ConfigureAwait(false))
                await Task.Delay(20, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Waited long enough: try anyway, and let the sender say why it cannot.
        }
        SendDtmf(digits, duration, gap);
    }

    private async Task<bool> PeerHearsDtmfAsync(CancellationToken cancellationToken)
    {
        if (_legacy is not null)
            return _legacy.CanSendDtmf && _legacy.GetStatistics().RtpPacketsReceived > 0;
        return _media!.CanSendDtmf && (await _media.GetStatsAsync(cancellationToken).ConfigureAwait(false)).InboundRtp.Sum(s => s.PacketsReceived ?? 0) > 0;
    }

    /// <summary>Mutes our microphone in this call (the peer hears silence); no signalling.</summary>
    public bool Muted
    {
        get => _legacy?.Muted ?? _media!.Muted;
        set
        {
            if (_legacy is not null)
                _legacy.Muted = value;
            else
                _media!.Muted = value;
        }
    }

    /// <summary>
    /// W3C statistics of a WebRTC call — after it ended, the last report, taken as its media was released
    /// (<see cref="InvalidOperationException"/> if none could be taken). A legacy call has
    /// <see cref="LegacyMediaHandler.GetStatistics"/> instead.
    /// </summary>
    public Task<RtcStatsReport> GetStatsAsync(CancellationToken cancellationToken = default) => _media?.GetStatsAsync(cancellationToken)
        ?? throw new InvalidOperationException("A plain RTP/SDES call has no W3C stats report: use LegacyMedia.GetStatistics().");

    // ---- signalling: the session does it; the call translates its exceptions ----

    /// <summary>Ends the call however its state requires: BYE, CANCEL, or 603 for an unanswered incoming call.</summary>
    public Task HangupAsync(CancellationToken cancellationToken = default) => Translate(Session.TerminateAsync(cancellationToken));

    /// <summary>Answers an incoming call; completes once the caller's ACK arrived and the call is established.</summary>
    /// <exception cref="CallFailedException">The call ended first (the caller cancelled, no ACK).</exception>
    public Task AnswerAsync(CancellationToken cancellationToken = default) => Translate(Incoming("answered").AcceptAsync(cancellationToken));

    /// <summary>Declines an incoming call with a final response (486 Busy Here by default; 603 Decline, 480…).</summary>
    public Task RejectAsync(int statusCode = 486, CancellationToken cancellationToken = default) => Translate(Incoming("rejected").RejectAsync(statusCode, cancellationToken));

    /// <summary>
    /// Starts media before answering (early media: an IVR prompt, ringback of our own): sends
    /// 183 Session Progress carrying our SDP answer — reliably (RFC 3262, PRACKed) when the caller supports 100rel,
    /// and then <see cref="AnswerAsync"/> waits for the PRACK and sends the 200 without SDP; otherwise the 200 repeats it.
    /// </summary>
    public Task ProgressAsync(CancellationToken cancellationToken = default) => Translate(Incoming("send early media").ProgressAsync(cancellationToken));

    /// <summary>Sends the caller elsewhere: a 3xx (302 Moved Temporarily by default) with <paramref name="target"/> as Contact.</summary>
    public Task RedirectAsync(UriReference target, int statusCode = 302, CancellationToken cancellationToken = default) =>
        Translate(Incoming("redirected").RedirectAsync(target, statusCode, cancellationToken));

    /// <summary>Puts the call on hold: a re-INVITE offering sendonly (RFC 3264 §8.4).</summary>
    public Task HoldAsync(CancellationToken cancellationToken = default) => Translate(Session.HoldAsync(cancellationToken));

    /// <summary>Takes the call off hold: a re-INVITE offering sendrecv.</summary>
    public Task ResumeAsync(CancellationToken cancellationToken = default) => Translate(Session.ResumeAsync(cancellationToken));

    /// <summary>Restarts ICE with a re-INVITE carrying new ICE credentials (e.g. after a network change).</summary>
    public Task RestartIceAsync(CancellationToken cancellationToken = default) => Translate(Session.RestartIceAsync(cancellationToken));

    /// <summary>
    /// Sends one DTMF digit as SIP INFO (application/dtmf-relay), for servers that want digits in
    /// signalling rather than in the media (<see cref="SendDtmf"/>).
    /// </summary>
    public Task SendDtmfInfoAsync(char digit, TimeSpan? duration = null, CancellationToken cancellationToken = default) =>
        Translate(Session.SendDtmfInfoAsync(digit, duration, cancellationToken));

    /// <summary>
    /// Transfers the peer to <paramref name="target"/>: sends REFER, waits for the peer's report of its
    /// call to the target, and hangs up once that call is answered. Returns the target's final status
    /// (2xx on success); the call stays up when the transfer fails.
    /// </summary>
    public Task<int> TransferAsync(UriReference target, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Translate(Session.ReferAsync(target, timeout, cancellationToken));

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await HangupAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or CallFailedException or ObjectDisposedException
            or Sip.Transport.SipTransportException or Sip.Transactions.SipTransactionTimeoutException)
        {
            Log.HangupOnDisposeFailed(_logger, CallId, e.Message);
        }
        Session.ForceEnd(new SessionEnd(SessionEndReason.LocalHangup, Detail: "disposed"));
        await Session.Ended.ConfigureAwait(false);
        await Session.MediaReleased.ConfigureAwait(false);
    }

    public override string ToString() => $"Call {CallId} {Direction} {RemoteIdentity} ({State})";

    private Invitation Incoming(string what) =>
        Session as Invitation ?? throw new InvalidOperationException($"Only an incoming call can be {what}.");

    internal static CallState ToCallState(SessionState state) => state switch
    {
        SessionState.Calling => CallState.Calling,
        SessionState.Ringing => CallState.Ringing,
        SessionState.EarlyMedia => CallState.EarlyMedia,
        SessionState.Established => CallState.Established,
        SessionState.OnHold => CallState.OnHold,
        _ => CallState.Ended,
    };

    internal static CallEnd ToCallEnd(SessionEnd end) => new(end.Reason switch
    {
        SessionEndReason.LocalHangup => CallEndReason.LocalHangup,
        SessionEndReason.RemoteHangup => CallEndReason.RemoteHangup,
        SessionEndReason.Rejected => CallEndReason.Rejected,
        SessionEndReason.Transferred => CallEndReason.Transferred,
        SessionEndReason.MediaFailed => CallEndReason.MediaFailed,
        SessionEndReason.SessionExpired => CallEndReason.SessionExpired,
        _ => CallEndReason.Failed,
    }, end.StatusCode, end.ReasonPhrase, end.Detail);

    private static async Task Translate(Task operation)
    {
        try
        {
            await operation.ConfigureAwait(false);
        }
        catch (SessionEndedException e)
        {
            throw new CallFailedException(ToCallEnd(e.End));
        }
    }

    private static async Task<T> Translate<T>(Task<T> operation)
    {
        try
        {
            return await operation.ConfigureAwait(false);
        }
        catch (SessionEndedException e)
        {
            throw new CallFailedException(ToCallEnd(e.End));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "call {CallId}: hangup while disposing failed: {Error}")]
        public static partial void HangupOnDisposeFailed(ILogger logger, string callId, string error);
    }
}
