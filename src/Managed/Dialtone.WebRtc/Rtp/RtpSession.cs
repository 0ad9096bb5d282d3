using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dialtone.Bindings;
using Dialtone.WebRtc.Interop;

namespace Dialtone.WebRtc.Rtp;

/// <summary>
/// A media session for a peer without ICE or DTLS: plain RTP/AVP or RTP/SAVP with SDES keys
/// (carrier trunks, PBXs, desk phones). It runs on the factory's engine — the same audio device,
/// echo canceller (AEC3), noise suppression, gain control, jitter buffer and codecs as a
/// <see cref="PeerConnection"/> — over its own UDP socket pair (symmetric RTP, RFC 4961).
/// Packets never cross into managed code; events are raised in order on a thread-pool thread,
/// never on a native thread.
/// </summary>
public sealed class RtpSession : IAsyncDisposable, IDisposable
{
    private readonly RtpSessionHandle handle;
    private readonly EventDispatcher dispatcher = new();
    private int disposed;

    private RtpSession(RtpSessionHandle handle, int rtpPort, int rtcpPort)
    {
        this.handle = handle;
        LocalRtpPort = rtpPort;
        LocalRtcpPort = rtcpPort;
    }

    /// <summary>A telephone-event from the peer started or ended.</summary>
    public event EventHandler<RtpDtmfEventArgs>? DtmfReceived;

    /// <summary>Latching learned the peer's real address (it differs from the SDP's).</summary>
    public event EventHandler<RtpAddressLatchedEventArgs>? RemoteAddressLatched;

    /// <summary>The bound RTP port (our SDP's m= port).</summary>
    public int LocalRtpPort { get; }

    /// <summary>The bound RTCP port (our a=rtcp), RTP + 1.</summary>
    public int LocalRtcpPort { get; }

    /// <summary>Binds a socket pair on <paramref name="factory"/>'s engine. Nothing is sent before <see cref="ConfigureAsync"/>.</summary>
    public static unsafe RtpSession Create(PeerConnectionFactory factory, RtpSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        options ??= new RtpSessionOptions();
        options.Validate();
        byte* address = Utf8.Allocate(options.LocalAddress.ToString());
        RtpSessionHandle handle;
        try
        {
            var native = new DtRtpSessionOptions
            {
                StructSize = (uint)sizeof(DtRtpSessionOptions),
                LocalAddress = address,
                LocalPort = (ushort)options.LocalPort,
            };
            handle = RtpSessionHandle.Create(factory.Handle, &native);
        }
        finally
        {
            Utf8.Free(address);
        }

        try
        {
            ushort rtp, rtcp;
            ThrowHelper.ThrowIfFailed(WebRtcShim.dt_rtp_session_get_local_ports(handle.Pointer, &rtp, &rtcp), "dt_rtp_session_get_local_ports");
            var session = new RtpSession(handle, rtp, rtcp);
            session.RegisterCallbacks();
            return session;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Applies the negotiated media; completes when it is in effect. Call again after every
    /// re-negotiation. Throws <see cref="WebRtcException"/> for what the engine refuses (a codec it
    /// cannot send, for example), leaving the previous configuration running.
    /// </summary>
    public Task ConfigureAsync(RtpSessionConfiguration configuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        // The native call waits for the engine's worker thread: keep it off the caller's thread.
        return Task.Run(() => Configure(configuration), cancellationToken);
    }

    /// <summary>Sends silence instead of the microphone (the stream goes on).</summary>
    public unsafe void SetMuted(bool muted)
    {
        using var scope = new HandleScope(handle);
        ThrowHelper.ThrowIfFailed(WebRtcShim.dt_rtp_session_set_muted(handle.Pointer, muted ? (byte)1 : (byte)0), "dt_rtp_session_set_muted");
    }

    /// <summary>
    /// Queues RFC 4733 tones ("0"-"9", "A"-"D", "#", "*", "," = 2 s pause), replacing a queue in
    /// progress. Duration 40–6000 ms (default 100 ms), gap at least 30 ms (default 70 ms). Needs a
    /// <see cref="RtpSessionConfiguration.SendTelephoneEvent"/> and a sending direction.
    /// </summary>
    public unsafe void SendDtmf(string tones, TimeSpan? duration = null, TimeSpan? interToneGap = null)
    {
        var (durationMs, gapMs) = DtmfTones.Validate(tones, duration, interToneGap);
        using var scope = new HandleScope(handle);
        ThrowHelper.ThrowIfFailed(WebRtcShim.dt_rtp_session_send_dtmf(handle.Pointer, tones, durationMs, gapMs), "dt_rtp_session_send_dtmf");
    }

    public unsafe RtpSessionStatistics GetStatistics()
    {
        var s = new DtRtpStats { StructSize = (uint)sizeof(DtRtpStats) };
        using (var scope = new HandleScope(handle))
        {
            ThrowHelper.ThrowIfFailed(WebRtcShim.dt_rtp_session_get_stats(handle.Pointer, &s), "dt_rtp_session_get_stats");
        }

        return new RtpSessionStatistics
        {
            RtpPacketsSent = s.RtpPacketsSent,
            RtpBytesSent = s.RtpBytesSent,
            RtpPacketsReceived = s.RtpPacketsReceived,
            RtpBytesReceived = s.RtpBytesReceived,
            RtcpPacketsSent = s.RtcpPacketsSent,
            RtcpPacketsReceived = s.RtcpPacketsReceived,
            DroppedMalformed = s.DroppedMalformed,
            DroppedOversized = s.DroppedOversized,
            DroppedUnknownPayload = s.DroppedUnknownPayload,
            DroppedSrtp = s.DroppedSrtp,
            DroppedStranger = s.DroppedStranger,
            LocalSsrc = s.LocalSsrc,
            RemoteSsrc = s.RemoteSsrc == 0 ? null : s.RemoteSsrc,
            SendPayloadType = s.SendPayloadType < 0 ? null : s.SendPayloadType,
            PacketsLost = s.PacketsLost,
            Jitter = TimeSpan.FromMilliseconds(s.JitterMs),
            RemotePacketsLost = s.RemotePacketsLost < 0 ? null : s.RemotePacketsLost,
            RemoteJitter = s.RemoteJitterMs < 0 ? null : TimeSpan.FromMilliseconds(s.RemoteJitterMs),
            RoundTripTime = s.RoundTripTimeMs < 0 ? null : TimeSpan.FromMilliseconds(s.RoundTripTimeMs),
            SendAudioLevel = s.SendAudioLevel,
            ReceiveAudioLevel = s.ReceiveAudioLevel < 0 ? null : s.ReceiveAudioLevel,
            ConcealedSamples = s.ConcealedSamples,
            TotalSamplesReceived = s.TotalSamplesReceived,
            RemoteAddressLatched = s.RemoteAddressLatched != 0,
        };
    }

    /// <summary>Stops media, closes the sockets; no event is raised after it completes.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        // The native release waits for the engine's threads: not on the caller's thread.
        await Task.Run(handle.Dispose).ConfigureAwait(false);
        await dispatcher.StopAsync().ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        handle.Dispose();
        _ = dispatcher.StopAsync();
    }

    private unsafe void Configure(RtpSessionConfiguration c)
    {
        int receiveCount = c.ReceiveCodecs.Count;
        // Every string the native struct points at, freed in finally (a few per configuration).
        var allocations = new List<nint>(2 * receiveCount + 4);
        byte* Alloc(string? text)
        {
            byte* p = Utf8.Allocate(text);
            allocations.Add((nint)p);
            return p;
        }

        DtRtpCodec ToNative(RtpCodec codec) => new()
        {
            PayloadType = codec.PayloadType,
            Name = Alloc(codec.Name),
            ClockRate = (uint)codec.ClockRate,
            Channels = (uint)codec.Channels,
            Fmtp = Alloc(codec.Fmtp),
        };

        try
        {
            var receive = new DtRtpCodec[receiveCount];
            for (int i = 0; i < receiveCount; i++)
            {
                receive[i] = ToNative(c.ReceiveCodecs[i]);
            }

            Span<byte> sendKey = stackalloc byte[SrtpKey.KeyAndSaltLength];
            Span<byte> receiveKey = stackalloc byte[SrtpKey.KeyAndSaltLength];
            c.SendKey?.KeyAndSalt.CopyTo(sendKey);
            c.ReceiveKey?.KeyAndSalt.CopyTo(receiveKey);
            string? remote = c.RemoteAddress is null || c.RemoteAddress.Equals(IPAddress.Any) || c.RemoteAddress.Equals(IPAddress.IPv6Any)
                ? null
                : c.RemoteAddress.ToString();
            fixed (DtRtpCodec* receivePointer = receive)
            fixed (byte* sendKeyPointer = sendKey)
            fixed (byte* receiveKeyPointer = receiveKey)
            {
                var native = new DtRtpSessionConfig
                {
                    StructSize = (uint)sizeof(DtRtpSessionConfig),
                    RemoteAddress = Alloc(remote),
                    RemoteRtpPort = (ushort)c.RemoteRtpPort,
                    RemoteRtcpPort = (ushort)(c.RemoteRtcpPort ?? 0),
                    RtcpMux = c.RtcpMux ? (byte)1 : (byte)0,
                    Latching = c.Latching ? (byte)1 : (byte)0,
                    Direction = (DtTransceiverDirection)c.Direction,
                    SendCodec = ToNative(c.SendCodec),
                    SendTelephoneEventPayloadType = c.SendTelephoneEvent?.PayloadType ?? -1,
                    SendTelephoneEventClockRate = (uint)(c.SendTelephoneEvent?.ClockRate ?? 0),
                    ReceiveCodecs = receivePointer,
                    ReceiveCodecCount = (nuint)receiveCount,
                    SendSuite = c.SendKey is null ? DtSrtpSuite.None : (DtSrtpSuite)c.SendKey.Suite,
                    SendKey = c.SendKey is null ? null : sendKeyPointer,
                    ReceiveSuite = c.ReceiveKey is null ? DtSrtpSuite.None : (DtSrtpSuite)c.ReceiveKey.Suite,
                    ReceiveKey = c.ReceiveKey is null ? null : receiveKeyPointer,
                    RtcpReportIntervalMs = (int)c.RtcpReportInterval.TotalMilliseconds,
                };
                using var scope = new HandleScope(handle);
                int result = WebRtcShim.dt_rtp_session_configure(handle.Pointer, &native);
                sendKey.Clear();
                receiveKey.Clear();
                ThrowHelper.ThrowIfFailed(result, "dt_rtp_session_configure");
            }
        }
        finally
        {
            foreach (nint p in allocations)
            {
                Utf8.Free((byte*)p);
            }
        }
    }

    private unsafe void RegisterCallbacks()
    {
        var self = GCHandle.Alloc(this, GCHandleType.Weak);
        handle.OwnCallbackHandle(self);
        var callbacks = new DtRtpSessionCallbacks
        {
            StructSize = (uint)sizeof(DtRtpSessionCallbacks),
            OnDtmfEvent = &OnDtmfEventNative,
            OnRemoteAddressLatched = &OnRemoteAddressLatchedNative,
        };
        using var scope = new HandleScope(handle);
        ThrowHelper.ThrowIfFailed(WebRtcShim.dt_rtp_session_set_callbacks(handle.Pointer, &callbacks, (void*)GCHandle.ToIntPtr(self)), "dt_rtp_session_set_callbacks");
    }

    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static unsafe void OnDtmfEventNative(void* userData, DtRtpDtmfEvent* e)
    {
        try
        {
            if (userData is null || e is null || GCHandle.FromIntPtr((nint)userData).Target is not RtpSession session)
            {
                return;
            }

            var args = new RtpDtmfEventArgs(e->Event, e->Tone == 0 ? null : (char)e->Tone, e->Ended != 0,
                TimeSpan.FromMilliseconds(e->DurationMs), e->Volume, e->RtpTimestamp);
            session.dispatcher.Post(() => session.DtmfReceived?.Invoke(session, args));
        }
        catch (Exception)
        {
            // Nothing may cross into native code.
        }
    }

    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static unsafe void OnRemoteAddressLatchedNative(void* userData, byte isRtcp, byte* address, ushort port)
    {
        try
        {
            if (userData is null || GCHandle.FromIntPtr((nint)userData).Target is not RtpSession session)
            {
                return;
            }

            if (!IPAddress.TryParse(Utf8.FromNullTerminated(address), out var ip))
            {
                return;
            }

            var args = new RtpAddressLatchedEventArgs(isRtcp != 0, new IPEndPoint(ip, port));
            session.dispatcher.Post(() => session.RemoteAddressLatched?.Invoke(session, args));
        }
        catch (Exception)
        {
            // Nothing may cross into native code.
        }
    }
}
