using System.Buffers;
using Microsoft.Extensions.Logging;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Dialtone.Bindings;
using Dialtone.WebRtc.Interop;

namespace Dialtone.WebRtc;

/// <summary>
/// A W3C RTCPeerConnection in .NET form. Offer/answer and candidate methods are asynchronous and
/// take a <see cref="CancellationToken"/> (cancelling stops the wait, not libwebrtc's work). Events
/// are raised one at a time, in order, on a thread-pool thread — never on a libwebrtc thread.
/// Dispose with <c>await using</c>: <see cref="DisposeAsync"/> closes the connection, releases it and
/// its data channels, and no event is raised after it returns.
/// </summary>
public sealed unsafe partial class PeerConnection : IAsyncDisposable
{
    private readonly PeerConnectionHandle handle;
    private readonly EventDispatcher dispatcher;
    private readonly Channel<IceCandidate> iceCandidates = Channel.CreateUnbounded<IceCandidate>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = false, AllowSynchronousContinuations = false });

    /// <summary>Bytes first offered for a description: an audio SDP with a few dozen candidates fits.</summary>
    private const int InitialDescriptionBuffer = 16 * 1024;

    private readonly Lock gate = new();
    private readonly Dictionary<nint, RtpTransceiver> transceivers = [];
    private readonly List<DataChannel> dataChannels = [];
    // ICE as the observer reported it (IceProgress), under gate; iceChanged completes at each report.
    private IceGatheringState iceGathering = IceGatheringState.New;
    private IceConnectionState iceConnection = IceConnectionState.New;
    private IceCandidateTypes localCandidateTypes;
    private string? localUfrag; // of the last local description set: candidates of other credentials do not count
    private TaskCompletionSource iceChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int disposed;
    private bool channelsTaken;

    internal PeerConnection(PeerConnectionFactory factory, PeerConnectionConfiguration configuration)
    {
        Factory = factory;
        Configuration = configuration;
        dispatcher = new EventDispatcher(factory.Options.LoggerFactory?.CreateLogger<PeerConnection>());
        handle = CreateHandle(factory.Handle, configuration);
        try
        {
            RegisterCallbacks();
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public PeerConnectionFactory Factory { get; }

    public PeerConnectionConfiguration Configuration { get; }

    /// <summary>Local candidates as they are gathered (trickle ICE). Completed when the connection is disposed.</summary>
    public ChannelReader<IceCandidate> IceCandidates => iceCandidates.Reader;

    public event EventHandler<StateChangedEventArgs<SignalingState>>? SignalingStateChanged;

    public event EventHandler<StateChangedEventArgs<IceGatheringState>>? IceGatheringStateChanged;

    public event EventHandler<StateChangedEventArgs<IceConnectionState>>? IceConnectionStateChanged;

    public event EventHandler<StateChangedEventArgs<PeerConnectionState>>? ConnectionStateChanged;

    /// <summary>Something changed that needs a new offer/answer exchange.</summary>
    public event EventHandler? NegotiationNeeded;

    /// <summary>A remote track arrived.</summary>
    public event EventHandler<TrackEventArgs>? TrackAdded;

    /// <summary>The remote side opened a data channel. The connection owns it and disposes it with itself.</summary>
    public event EventHandler<DataChannelEventArgs>? DataChannelReceived;

    internal PeerConnectionHandle Handle => handle;

    internal EventDispatcher Dispatcher => dispatcher;

    public SignalingState SignalingState
    {
        get
        {
            DtSignalingState s;
            using var scope = new HandleScope(handle);
            ThrowHelper.ThrowIfFailed(WebRtcShim.dt_peer_connection_get_signaling_state(handle.Pointer, &s), "dt_peer_connection_get_signaling_state");
            return (SignalingState)s;
        }
    }

    public IceGatheringState IceGatheringState
    {
        get
        {
            DtIceGatheringState s;
            using var scope = new HandleScope(handle);
            ThrowHelper.ThrowIfFailed(WebRtcShim.dt_peer_connection_get_ice_gathering_state(handle.Pointer, &s), "dt_peer_connection_get_ice_gathering_state");
            return (IceGatheringState)s;
        }
    }

    public IceConnectionState IceConnectionState
    {
        get
        {
            DtIceConnectionState s;
            using var scope = new HandleScope(handle);
            ThrowHelper.ThrowIfFailed(WebRtcShim.dt_peer_connection_get_ice_connection_state(handle.Pointer, &s), "dt_peer_connection_get_ice_connection_state");
            return (IceConnectionState)s;
        }
    }

    public PeerConnectionState ConnectionState
    {
        get
        {
            DtPeerConnectionState s;
            using var scope = new HandleScope(handle);
            ThrowHelper.ThrowIfFailed(WebRtcShim.dt_peer_connection_get_connection_state(handle.Pointer, &s), "dt_peer_connection_get_connection_state");
            return (PeerConnectionState)s;
        }
    }

    /// <summary>
    /// ICE as the observer last reported it, and a task for the next report: no call into libwebrtc (unlike
    /// <see cref="IceGatheringState"/> and <see cref="IceConnectionState"/>, which ask its signalling thread).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The connection was disposed (which also completes the last <see cref="IceProgress.Changed"/>).</exception>
    public IceProgress IceProgress
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
            lock (gate)
            {
                return new IceProgress(iceGathering, iceConnection, localCandidateTypes, iceChanged.Task);
            }
        }
    }

    /// <summary>The current local description with every candidate gathered so far; null before one is set.</summary>
    public SessionDescription? LocalDescription => GetDescription(local: true);

    public SessionDescription? RemoteDescription => GetDescription(local: false);

    /// <summary>The transceivers known to this object (created by <see cref="AddAudioTrack"/> or reported by <see cref="TrackAdded"/>).</summary>
    public IReadOnlyList<RtpTransceiver> Transceivers
    {
        get
        {
            lock (gate)
            {
                return [.. transceivers.Values];
            }
        }
    }

    public Task<SessionDescription> CreateOfferAsync(OfferAnswerOptions? options = null, CancellationToken cancellationToken = default) =>
        CreateDescriptionAsync(offer: true, options, cancellationToken);

    public Task<SessionDescription> CreateAnswerAsync(OfferAnswerOptions? options = null, CancellationToken cancellationToken = default) =>
        CreateDescriptionAsync(offer: false, options, cancellationToken);

    /// <summary>Applies a local description. Throws <see cref="SessionDescriptionException"/> with libwebrtc's message when it is refused.</summary>
    public Task SetLocalDescriptionAsync(SessionDescription description, CancellationToken cancellationToken = default) =>
        SetDescriptionAsync(local: true, description, cancellationToken);

    /// <summary>Applies a remote description. Throws <see cref="SessionDescriptionException"/> with libwebrtc's message when it cannot be parsed or is refused.</summary>
    public Task SetRemoteDescriptionAsync(SessionDescription description, CancellationToken cancellationToken = default) =>
        SetDescriptionAsync(local: false, description, cancellationToken);

    /// <summary>Makes the next offer an ICE restart (raises <see cref="NegotiationNeeded"/>).</summary>
    public void RestartIce()
    {
        using var scope = new HandleScope(handle);
        ThrowHelper.ThrowIfFailed(WebRtcShim.dt_peer_connection_restart_ice(handle.Pointer), "dt_peer_connection_restart_ice");
    }

    /// <summary>
    /// Adds a local audio track fed by the factory's audio device (through audio processing). Like W3C
    /// addTrack it reuses a transceiver created by a remote offer, or adds one.
    /// </summary>
    public AudioTrack AddAudioTrack(string? trackId = null, string? streamId = null)
    {
        byte* track = Utf8.Allocate(trackId);
        byte* stream = Utf8.Allocate(streamId);
        try
        {
            var init = new DtAudioTrackInit { StructSize = (uint)sizeof(DtAudioTrackInit), TrackId = track, StreamId = stream };
            DtTransceiver* transceiver = null;
            using (new HandleScope(handle))
            {
                ThrowHelper.ThrowIfFailed(WebRtcShim.dt_peer_connection_add_audio_track(handle.Pointer, &init, &transceiver), "dt_peer_connection_add_audio_track");
            }

            return new AudioTrack(GetOrAddTransceiver(transceiver), trackId);
        }
        finally
        {
            Utf8.Free(track);
            Utf8.Free(stream);
        }
    }

    /// <summary>W3C createDataChannel. The connection disposes its channels with itself.</summary>
    public DataChannel CreateDataChannel(string label, DataChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(label);
        options ??= new DataChannelOptions();
        options.Validate();
        byte* protocol = Utf8.Allocate(options.Protocol);
        try
        {
            var init = new DtDataChannelInit
            {
                StructSize = (uint)sizeof(DtDataChannelInit),
                Ordered = options.Ordered ? (byte)1 : (byte)0,
                MaxRetransmits = options.MaxRetransmits ?? -1,
                MaxPacketLifeTimeMs = options.MaxPacketLifeTime is { } life ? (int)life.TotalMilliseconds : -1,
                Protocol = protocol,
                Negotiated = options.NegotiatedId is null ? (byte)0 : (byte)1,
                Id = options.NegotiatedId ?? -1,
            };
            DtDataChannel* native = null;
            using (new HandleScope(handle))
            {
                int result = WebRtcShim.dt_peer_connection_create_data_channel(handle.Pointer, label, &init, &native);
                ThrowHelper.ThrowIfFailed(result, "dt_peer_connection_create_data_channel");
            }

            var channel = new DataChannel(this, DataChannelHandle.Adopt(handle, native));
            if (!AddDataChannel(channel))
            {
                channel.ReleaseNative();
                throw new ObjectDisposedException(nameof(PeerConnection));
            }

            channel.AttachCallbacks();
            return channel;
        }
        finally
        {
            Utf8.Free(protocol);
        }
    }

    /// <summary>W3C close(): states go to closed, pending operations fail with <see cref="WebRtcErrorCode.Closed"/>. Idempotent.</summary>
    public void Close()
    {
        using var scope = new HandleScope(handle);
        ThrowHelper.ThrowIfFailed(WebRtcShim.dt_peer_connection_close(handle.Pointer), "dt_peer_connection_close");
    }

    internal void RemoveDataChannel(DataChannel channel)
    {
        lock (gate)
        {
            dataChannels.Remove(channel);
        }
    }

    /// <summary>False once DisposeAsync took the list: the caller must release the channel itself.</summary>
    private bool AddDataChannel(DataChannel channel)
    {
        lock (gate)
        {
            if (channelsTaken)
            {
                return false;
            }

            dataChannels.Add(channel);
            return true;
        }
    }

    private RtpTransceiver GetOrAddTransceiver(DtTransceiver* native)
    {
        lock (gate)
        {
            if (!transceivers.TryGetValue((nint)native, out var transceiver))
            {
                transceiver = new RtpTransceiver(this, native);
                transceivers.Add((nint)native, transceiver);
            }

            return transceiver;
        }
    }

    private static PeerConnectionHandle CreateHandle(FactoryHandle factory, PeerConnectionConfiguration configuration)
    {
        var servers = configuration.IceServers;
        var allocations = new List<nint>();
        byte* Keep(string? s)
        {
            byte* p = Utf8.Allocate(s);
            if (p is not null)
            {
                allocations.Add((nint)p);
            }

            return p;
        }

        DtIceServer* nativeServers = null;
        try
        {
            if (servers.Count > 0)
            {
                nativeServers = (DtIceServer*)NativeMemory.AllocZeroed((nuint)servers.Count, (nuint)sizeof(DtIceServer));
                for (int i = 0; i < servers.Count; i++)
                {
                    var urls = (byte**)NativeMemory.AllocZeroed((nuint)servers[i].Urls.Count, (nuint)sizeof(byte*));
                    allocations.Add(-(nint)urls); // negative marks NativeMemory blocks
                    for (int u = 0; u < servers[i].Urls.Count; u++)
                    {
                        urls[u] = Keep(servers[i].Urls[u]);
                    }

                    nativeServers[i] = new DtIceServer
                    {
                        Urls = urls,
                        UrlCount = (nuint)servers[i].Urls.Count,
                        Username = Keep(servers[i].Username),
                        Credential = Keep(servers[i].Credential),
                    };
                }
            }

            var config = new DtPeerConnectionConfig
            {
                StructSize = (uint)sizeof(DtPeerConnectionConfig),
                IceServers = nativeServers,
                IceServerCount = (nuint)servers.Count,
                IceTransportPolicy = (DtIceTransportPolicy)configuration.IceTransportPolicy,
                BundlePolicy = (DtBundlePolicy)configuration.BundlePolicy,
                IceCandidatePoolSize = configuration.IceCandidatePoolSize,
                MinPort = configuration.MinPort,
                MaxPort = configuration.MaxPort,
            };
            return PeerConnectionHandle.Create(factory, &config);
        }
        finally
        {
            foreach (nint p in allocations)
            {
                if (p < 0)
                {
                    NativeMemory.Free((void*)-p);
                }
                else
                {
                    Utf8.Free((byte*)p);
                }
            }

            NativeMemory.Free(nativeServers);
        }
    }

    /// <summary>Records an ICE report of the observer (a libwebrtc thread) and wakes whoever waits on <see cref="IceProgress"/>.</summary>
    private void ReportIce(Action<PeerConnection> change)
    {
        lock (gate)
        {
            change(this);
            iceChanged.TrySetResult();
            iceChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private SessionDescription? GetDescription(bool local)
    {
        string operation = local ? "dt_peer_connection_get_local_description" : "dt_peer_connection_get_remote_description";
        using var scope = new HandleScope(handle);
        // Each read serialises the whole description on libwebrtc's signalling thread: read into a buffer that
        // fits a usual SDP at once, and again with the size the shim asked for only when it did not fit (or the
        // description grew in between: a candidate was gathered).
        int size = InitialDescriptionBuffer;
        while (true)
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                DtSdpType type = default;
                nuint needed = 0;
                int result;
                fixed (byte* p = buffer)
                {
                    result = Describe(local, &type, p, (nuint)buffer.Length, &needed);
                    if (result == (int)DtResultCode.Ok && needed <= (nuint)buffer.Length)
                    {
                        return new SessionDescription((SdpType)type, Utf8.FromNullTerminated(p));
                    }
                }

                if (result == (int)DtResultCode.ErrorInvalidState)
                {
                    return null;
                }

                if (result != (int)DtResultCode.Ok && result != (int)DtResultCode.ErrorBufferTooSmall)
                {
                    ThrowHelper.ThrowIfFailed(result, operation);
                }

                size = (int)needed + 256;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private int Describe(bool local, DtSdpType* type, byte* buffer, nuint capacity, nuint* needed) => local
        ? WebRtcShim.dt_peer_connection_get_local_description(handle.Pointer, type, buffer, capacity, needed)
        : WebRtcShim.dt_peer_connection_get_remote_description(handle.Pointer, type, buffer, capacity, needed);
}

/// <summary>Payload of <see cref="PeerConnection.TrackAdded"/>.</summary>
public sealed class TrackEventArgs(RtpTransceiver transceiver, string trackId, string? mid) : EventArgs
{
    public RtpTransceiver Transceiver { get; } = transceiver;

    public string TrackId { get; } = trackId;

    public string? Mid { get; } = mid;
}

/// <summary>Payload of <see cref="PeerConnection.DataChannelReceived"/>.</summary>
public sealed class DataChannelEventArgs(DataChannel channel) : EventArgs
{
    public DataChannel Channel { get; } = channel;
}
