using Dialtone.WebRtc;

namespace Dialtone.Phone.Media;

// The call's audio track, its per-call source and sinks, and the RFC 4733 events it receives.
public sealed partial class WebRtcMediaHandler
{
    private readonly Lock _audioGate = new();
    private readonly bool _perCall;
    private readonly CallAudioSourceOptions? _callAudioOptions;
    private readonly List<CallAudioSink> _sinks = [];
    private RtpTransceiver? _transceiver;
    private CallAudioTrack? _callTrack;
    private DtmfReceiver? _dtmf;
    private bool _released;

    /// <summary>True when the factory is <see cref="AudioDeviceKind.PerCall"/>: this call has its own source (<see cref="CallTrack"/>).</summary>
    public bool HasOwnAudio => _perCall;

    /// <summary>The call's own track and source in per-call mode (null until the track exists, and on a device factory).</summary>
    public CallAudioTrack? CallTrack => _callTrack;

    /// <summary>The transceiver of the call's audio (null until the first offer or answer made it).</summary>
    public RtpTransceiver? Transceiver => _transceiver;

    /// <summary>
    /// An RFC 4733 event the peer sent ended (digits only: 0-9, *, #, A-D) — read from the RTP packets,
    /// each event once, in arrival order. Raised on one background reader, one event at a time.
    /// </summary>
    public event EventHandler<DtmfEvent>? DtmfReceived;

    /// <summary>
    /// Starts receiving the decoded audio of this call alone: read it (<see cref="CallAudioSink.Read"/>) or
    /// record it (<see cref="CallAudioSinkOptions.WavOutputPath"/>). Released with the call's media if the
    /// application has not disposed it first.
    /// </summary>
    /// <exception cref="InvalidOperationException">The call has no audio track yet (an incoming call before its offer was taken), or it ended.</exception>
    public CallAudioSink CreateSink(CallAudioSinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (_audioGate)
        {
            if (_released)
                throw new InvalidOperationException("The call's media has been released.");
            var transceiver = _transceiver ?? throw new InvalidOperationException("The call has no audio track yet.");
            var sink = transceiver.CreateCallAudioSink(options);
            _sinks.Add(sink);
            return sink;
        }
    }

    /// <summary>The call's audio transceiver, made on first use: the device's track, or a per-call source's.</summary>
    private RtpTransceiver EnsureTrack()
    {
        lock (_audioGate)
        {
            if (_transceiver is not null)
                return _transceiver;
            ObjectDisposedException.ThrowIf(_released, this);
            if (_perCall)
            {
                _callTrack = _peerConnection.AddCallAudioTrack(_callAudioOptions);
                _transceiver = _callTrack.Transceiver;
            }
            else
            {
                _track = _peerConnection.AddAudioTrack();
                _transceiver = _track.Transceiver;
            }
            // Before any packet arrives, so no event is missed (one receiver per transceiver).
            _dtmf = _transceiver.CreateDtmfReceiver();
            _ = ReadDtmfAsync(_dtmf);
            return _transceiver;
        }
    }

    private async Task ReadDtmfAsync(DtmfReceiver receiver)
    {
        // The channel completes when the receiver is disposed (the call's media is released).
        await foreach (var e in receiver.Events.ReadAllAsync().ConfigureAwait(false))
        {
            if (e.Phase != DtmfEventPhase.End || e.Tone is null)
                continue;
            try
            {
                DtmfReceived?.Invoke(this, e);
            }
            catch (Exception)
            {
                // A subscriber's failure must not stop the next event; Call logs its own handlers' failures.
            }
        }
    }

    /// <summary>Stops the source, completes recordings and detaches the DTMF receiver; none of them outlives the call.</summary>
    private void ReleaseCallAudio()
    {
        CallAudioSink[] sinks;
        lock (_audioGate)
        {
            if (_released)
                return;
            _released = true;
            sinks = [.. _sinks];
            _sinks.Clear();
        }
        foreach (var sink in sinks)
            sink.Dispose();
        _dtmf?.Dispose();
        _callTrack?.Source.Dispose();
    }
}
