using Dialtone.Phone.Media;
using Dialtone.Sip.Dialogs;
using Dialtone.Sip.Message;
using Dialtone.WebRtc;
using Microsoft.Extensions.Logging;

namespace Dialtone.Phone;

/// <summary>
/// One call: a SIP INVITE dialog whose media is a libwebrtc peer connection (Opus, DTLS-SRTP, the
/// factory's audio device and echo canceller). Created by <see cref="UserAgent.CallAsync"/> or
/// handed over by <see cref="UserAgent.IncomingCall"/>. Events are raised on thread-pool threads,
/// never on a libwebrtc or SIP stack thread.
/// </summary>
public sealed partial class Call : IAsyncDisposable
{
    private readonly UserAgent _ua;
    private readonly WebRtcMediaSession _media;
    private readonly ILogger _logger;
    // One signalling operation at a time: re-INVITEs, BYE, transfers never overlap inside a call.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _stateLock = new();
    private readonly TaskCompletionSource<CallEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _established = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly EventQueue _events;
    private SipDialog? _dialog;
    private CallState _state;
    private bool _localHold;
    private bool _remoteHold;

    internal Call(UserAgent ua, CallDirection direction, string callId, SipAddress localIdentity, SipAddress remoteIdentity, CallState initial)
    {
        _ua = ua;
        Direction = direction;
        CallId = callId;
        LocalIdentity = localIdentity;
        RemoteIdentity = remoteIdentity;
        _state = initial;
        _logger = ua.LoggerFactory.CreateLogger<Call>();
        _events = new EventQueue(e => Log.HandlerFailed(_logger, CallId, e));
        _media = new WebRtcMediaSession(ua.MediaFactory, ua.Options.Media);
        // Observed so a call that ends before anyone awaits it leaves no unobserved exception.
        _established.Task.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
    }

    public string CallId { get; }

    public CallDirection Direction { get; }

    /// <summary>Our side: From for an outgoing call, To for an incoming one.</summary>
    public SipAddress LocalIdentity { get; }

    /// <summary>The peer: whom we called, or who called us.</summary>
    public SipAddress RemoteIdentity { get; }

    public CallState State
    {
        get
        {
            lock (_stateLock)
                return _state;
        }
    }

    /// <summary>We put the call on hold.</summary>
    public bool IsLocalHold => _localHold;

    /// <summary>The peer put the call on hold.</summary>
    public bool IsRemoteHold => _remoteHold;

    /// <summary>The call's libwebrtc peer connection, for statistics and advanced use.</summary>
    public PeerConnection PeerConnection => _media.PeerConnection;

    /// <summary>Completes when the call is established; faults with <see cref="CallFailedException"/> if it ends first.</summary>
    public Task Established => _established.Task;

    /// <summary>Completes with how the call ended.</summary>
    public Task<CallEnd> Ended => _ended.Task;

    public event EventHandler<CallStateChangedEventArgs>? StateChanged;

    /// <summary>A digit the peer sent as SIP INFO. (RFC 4733 digits arrive in the audio; see Dialtone.Phone.Audio.DtmfDetector.)</summary>
    public event EventHandler<DtmfReceivedEventArgs>? DtmfReceived;

    /// <summary>The peer transferred us (REFER): the user agent is calling the target; this call ends when that call is up.</summary>
    public event EventHandler<TransferRequestedEventArgs>? TransferRequested;

    /// <summary>Sends DTMF as RFC 4733 telephone-events in the media (what browsers and gateways expect).</summary>
    public void SendDtmf(string digits, TimeSpan? duration = null, TimeSpan? gap = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(digits);
        _media.SendDtmf(digits, duration ?? TimeSpan.FromMilliseconds(120), gap ?? TimeSpan.FromMilliseconds(80));
    }

    /// <summary>Mutes our microphone in this call (the peer hears silence); no signalling.</summary>
    public bool Muted
    {
        get => _media.Muted;
        set => _media.Muted = value;
    }

    public Task<RtcStatsReport> GetStatsAsync(CancellationToken cancellationToken = default) => _media.GetStatsAsync(cancellationToken);

    /// <summary>Ends the call however its state requires: BYE, CANCEL, or 486/603 for an unanswered incoming call.</summary>
    public async Task HangupAsync(CancellationToken cancellationToken = default)
    {
        switch (State)
        {
            case CallState.Ended:
                return;
            case CallState.Established or CallState.OnHold:
                await ByeAsync(cancellationToken).ConfigureAwait(false);
                return;
            case CallState.Ringing or CallState.EarlyMedia when Direction == CallDirection.Incoming && _dialog is not null:
                // Answered, ACK not yet in: RFC 3261 §15 lets the callee send BYE only after the ACK
                // (or when it never comes, which ends the call by itself).
                await Task.WhenAny(Established, Ended).WaitAsync(cancellationToken).ConfigureAwait(false);
                if (State is CallState.Established or CallState.OnHold)
                    await ByeAsync(cancellationToken).ConfigureAwait(false);
                return;
            default:
                if (Direction == CallDirection.Outgoing)
                    await CancelAsync(cancellationToken).ConfigureAwait(false);
                else
                    await RejectAsync(603, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    internal void SetState(CallState state)
    {
        CallState previous;
        lock (_stateLock)
        {
            if (_state == CallState.Ended || _state == state)
                return;
            previous = _state;
            _state = state;
        }
        Log.StateChanged(_logger, CallId, previous, state);
        if (state is CallState.Established or CallState.OnHold)
            _established.TrySetResult();
        Raise(StateChanged, new CallStateChangedEventArgs(previous, state, null));
    }

    /// <summary>Ends the call once: state Ended, tasks completed, dialog forgotten, media released.</summary>
    internal void Finish(CallEnd end)
    {
        CallState previous;
        lock (_stateLock)
        {
            if (_state == CallState.Ended)
                return;
            previous = _state;
            _state = CallState.Ended;
        }
        Log.Ended(_logger, CallId, end.ToString());
        _dialog?.Terminate();
        _ua.Forget(this);
        _lifetime.Cancel();
        _established.TrySetException(new CallFailedException(end));
        _ended.TrySetResult(end);
        Raise(StateChanged, new CallStateChangedEventArgs(previous, CallState.Ended, end));
        _ = ReleaseMediaAsync();
    }

    private async Task ReleaseMediaAsync()
    {
        try
        {
            await _media.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.MediaReleaseFailed(_logger, CallId, e);
        }
    }

    private void UpdateHoldState()
    {
        if (State is CallState.Established or CallState.OnHold)
            SetState(_localHold || _remoteHold ? CallState.OnHold : CallState.Established);
    }

    private void Raise<T>(EventHandler<T>? handler, T args) => _events.Raise(this, handler, args);

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await HangupAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or Sip.Transport.SipTransportException or Sip.Transactions.SipTransactionTimeoutException)
        {
            Log.HangupOnDisposeFailed(_logger, CallId, e.Message);
        }
        Finish(new CallEnd(CallEndReason.LocalHangup, Detail: "disposed"));
        await ReleaseMediaAsync().ConfigureAwait(false);
    }

    public override string ToString() => $"Call {CallId} {Direction} {RemoteIdentity} ({State})";

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "call {CallId}: {Previous} -> {State}")]
        public static partial void StateChanged(ILogger logger, string callId, CallState previous, CallState state);

        [LoggerMessage(Level = LogLevel.Information, Message = "call {CallId} ended: {End}")]
        public static partial void Ended(ILogger logger, string callId, string end);

        [LoggerMessage(Level = LogLevel.Warning, Message = "call {CallId}: releasing media failed")]
        public static partial void MediaReleaseFailed(ILogger logger, string callId, Exception e);

        [LoggerMessage(Level = LogLevel.Warning, Message = "call {CallId}: an event handler threw")]
        public static partial void HandlerFailed(ILogger logger, string callId, Exception e);

        [LoggerMessage(Level = LogLevel.Debug, Message = "call {CallId}: hangup while disposing failed: {Error}")]
        public static partial void HangupOnDisposeFailed(ILogger logger, string callId, string error);

        [LoggerMessage(Level = LogLevel.Warning, Message = "call {CallId}: {What} failed: {Error}")]
        public static partial void OperationFailed(ILogger logger, string callId, string what, string error);
    }
}
