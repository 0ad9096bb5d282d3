using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography;
using Dialtone.Sip.Sdp;
using Dialtone.Sip.Sessions;
using Dialtone.WebRtc;
using Dialtone.WebRtc.Rtp;
using Microsoft.Extensions.Logging;

namespace Dialtone.Phone.Media.Legacy;

/// <summary>
/// One call's media for a peer without ICE or DTLS: an <see cref="RtpSession"/> (plain RTP/AVP or
/// SDES RTP/SAVP) on the same factory, device and echo canceller as WebRTC calls, with the SDP
/// built and read by <see cref="LegacyAudio"/>. Hold and resume by direction; DTMF as RFC 4733
/// events both ways. Nothing received from a peer that is not holding for
/// <see cref="LegacyMediaOptions.MediaTimeout"/> raises <see cref="MediaFailed"/>.
/// </summary>
public sealed class LegacyMediaHandler : ISessionMediaHandler
{
    private readonly RtpSession _session;
    private readonly LegacyMediaOptions _options;
    private readonly MediaProfile _profile;
    private readonly TimeProvider _time;
    private readonly Func<IPAddress?>? _currentAddress;
    private IPAddress? _fallbackAddress;
    private readonly ulong _sessionId = (ulong)RandomNumberGenerator.GetInt32(1, int.MaxValue);
    private readonly Dictionary<string, string> _offeredKeys = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _watch = new();
    private readonly TaskCompletionSource _firstPacket = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ulong _version;
    private SdpMessage? _pendingOffer;
    private string? _lastAnswer;
    private string? _provisionalAnswer;
    private NegotiatedAudio? _pendingAnswer;
    private int _failed;
    private int _watching;
    private bool _muted;
    private readonly DropReporter? _drops;
    private int _reporting;

    public LegacyMediaHandler(PeerConnectionFactory factory, LegacyMediaOptions options, MediaProfile profile, TimeProvider? timeProvider = null)
        : this(factory, options, profile, timeProvider, null)
    {
    }

    /// <param name="logger">Where dropped packets are reported (one line per reason per <see cref="DropReporter.Interval"/>); null: not logged.</param>
    public LegacyMediaHandler(PeerConnectionFactory factory, LegacyMediaOptions options, MediaProfile profile, TimeProvider? timeProvider, ILogger? logger)
        : this(factory, options, profile, timeProvider, logger, currentAddress: null)
    {
    }

    /// <param name="currentAddress">
    /// The address our media is reached at now, asked at every offer and answer — so that a re-INVITE after a
    /// network change carries the new one (MediaPolicy passes the SIP flow's local address when the options leave
    /// the choice to us). Null, or a null answer: <see cref="LegacyMediaOptions.AdvertisedAddress"/>, else the
    /// bound address, else this host's first non-loopback IPv4 address.
    /// </param>
    public LegacyMediaHandler(PeerConnectionFactory factory, LegacyMediaOptions options, MediaProfile profile, TimeProvider? timeProvider, ILogger? logger,
        Func<IPAddress?>? currentAddress)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(options);
        if (profile == MediaProfile.WebRtc)
        {
            throw new ArgumentException("The legacy handler carries RTP/AVP or RTP/SAVP.", nameof(profile));
        }

        _options = options;
        _profile = profile;
        _time = timeProvider ?? TimeProvider.System;
        _currentAddress = currentAddress;
        _session = RtpSession.Create(factory, new RtpSessionOptions { LocalAddress = options.LocalAddress });
        _session.DtmfReceived += (_, e) => DtmfReceived?.Invoke(this, e);
        _drops = logger is null ? null : new DropReporter(logger, $"{options.LocalAddress}:{_session.LocalRtpPort}");
    }

    public string ContentType => "application/sdp";

    /// <summary>RTP/AVP or RTP/SAVP.</summary>
    public MediaProfile Profile => _profile;

    /// <summary>True for SDES-SRTP; false for unencrypted RTP.</summary>
    public bool IsEncrypted => _profile == MediaProfile.Sdes;

    public RtpSession Session => _session;

    /// <summary>Completes when the first valid RTP packet from the peer arrived (the media path is up).</summary>
    public Task FirstPacketReceived => _firstPacket.Task;

    /// <summary>The last agreed media (null before the first offer/answer completes).</summary>
    public NegotiatedAudio? Negotiated { get; private set; }

    public event EventHandler<SessionMediaFailedEventArgs>? MediaFailed;

    /// <summary>RFC 4733 events from the peer (start and end of each), in order.</summary>
    public event EventHandler<RtpDtmfEventArgs>? DtmfReceived;

    public bool IsSending => Negotiated?.LocalDirection is SdpDirection.SendRecv or SdpDirection.SendOnly;

    public bool IsReceiving => Negotiated?.LocalDirection is SdpDirection.SendRecv or SdpDirection.RecvOnly;

    public bool CanSendDtmf => IsSending && Negotiated?.SendTelephoneEvent is not null;

    public Task<string> CreateOfferAsync(SessionOfferOptions options, CancellationToken cancellationToken)
    {
        // RFC 3264 §8.4: holding a peer that holds us is inactive.
        SdpDirection direction = !options.Hold ? SdpDirection.SendRecv
            : Negotiated?.RemoteHold == true ? SdpDirection.Inactive : SdpDirection.SendOnly;
        if (_profile == MediaProfile.Sdes && _offeredKeys.Count == 0)
        {
            _offeredKeys[LegacyAudio.SuiteSha1_80] = NewKey();
            _offeredKeys[LegacyAudio.SuiteSha1_32] = NewKey();
        }

        _provisionalAnswer = null;
        _pendingOffer = LegacyAudio.CreateOffer(AudioOptions(direction) with { OfferedKeys = _offeredKeys });
        return Task.FromResult(_pendingOffer.ToString());
    }

    public async Task SetRemoteAnswerAsync(string body, bool provisional, CancellationToken cancellationToken)
    {
        var offer = _pendingOffer ?? throw new SessionMediaException("an answer arrived but there is no offer of ours outstanding");
        // A 100rel peer sends its answer in the reliable 183 and the same SDP again in the 200: that
        // answer is in effect already (early media flowing, SRTP contexts and latched address kept),
        // so it is taken as no change rather than applied a second time.
        string text = body.Trim();
        if (!provisional && _provisionalAnswer == text)
        {
            _pendingOffer = null;
            _provisionalAnswer = null;
            return;
        }

        NegotiatedAudio negotiated;
        try
        {
            negotiated = LegacyAudio.ReadAnswer(offer, SdpMessage.Parse(body), _profile);
        }
        catch (Exception e) when (e is SdpParseException or SdpNegotiationException)
        {
            throw new SessionMediaException(e.Message, 305, e);
        }

        await ApplyAsync(negotiated, cancellationToken).ConfigureAwait(false);
        _provisionalAnswer = provisional ? text : null;
        if (!provisional)
        {
            _pendingOffer = null;
        }
    }

    public Task<RemoteOfferInfo> SetRemoteOfferAsync(string body, CancellationToken cancellationToken)
    {
        try
        {
            var offer = SdpMessage.Parse(body);
            SdpDirection wanted = SdpDirection.SendRecv;
            var (answer, negotiated) = LegacyAudio.CreateAnswer(offer, AudioOptions(wanted));
            _lastAnswer = answer.ToString();
            _pendingAnswer = negotiated;
            return Task.FromResult(new RemoteOfferInfo(negotiated.RemoteHold));
        }
        catch (Exception e) when (e is SdpParseException or SdpNegotiationException)
        {
            throw new SessionMediaException(e.Message, 305, e);
        }
    }

    public async Task<string> CreateAnswerAsync(CancellationToken cancellationToken)
    {
        if (_pendingAnswer is { } negotiated)
        {
            await ApplyAsync(negotiated, cancellationToken).ConfigureAwait(false);
            _pendingAnswer = null;
        }

        return _lastAnswer ?? throw new InvalidOperationException("No remote offer to answer.");
    }

    public Task RollbackAsync(CancellationToken cancellationToken)
    {
        _pendingOffer = null;
        _provisionalAnswer = null;
        return Task.CompletedTask;
    }

    public bool Muted
    {
        get => _muted;
        set
        {
            _session.SetMuted(value);
            _muted = value;
        }
    }

    /// <summary>Sends RFC 4733 telephone-events; throws when none was negotiated or the call is not sending.</summary>
    public void SendDtmf(string tones, TimeSpan duration, TimeSpan gap) => _session.SendDtmf(tones, duration, gap);

    public RtpSessionStatistics GetStatistics() => _session.GetStatistics();

    public async ValueTask DisposeAsync()
    {
        await _watch.CancelAsync().ConfigureAwait(false);
        await _session.DisposeAsync().ConfigureAwait(false);
        _watch.Dispose();
    }

    private LegacyAudioOptions AudioOptions(SdpDirection direction) => new()
    {
        Address = AdvertisedAddress(),
        RtpPort = _session.LocalRtpPort,
        RtcpPort = _session.LocalRtcpPort,
        Profile = _profile,
        Codecs = _options.Codecs,
        Direction = direction,
        SessionId = _sessionId,
        SessionVersion = _version++,
    };

    private async Task ApplyAsync(NegotiatedAudio n, CancellationToken cancellationToken)
    {
        IPAddress? remote = await ResolveAsync(n.RemoteAddress, cancellationToken).ConfigureAwait(false);
        SrtpKey? sendKey = null, receiveKey = null;
        if (n.CryptoSuite is not null)
        {
            var suite = n.CryptoSuite == LegacyAudio.SuiteSha1_32 ? SrtpSuite.AesCm128HmacSha1_32 : SrtpSuite.AesCm128HmacSha1_80;
            sendKey = SrtpKey.FromBase64(suite, n.LocalKey!);
            receiveKey = SrtpKey.FromBase64(suite, n.RemoteKey!);
        }

        var configuration = new RtpSessionConfiguration
        {
            RemoteAddress = remote,
            RemoteRtpPort = n.RemoteRtpPort,
            RemoteRtcpPort = n.RemoteRtcpPort,
            RtcpMux = n.RtcpMux,
            Latching = _options.Latching,
            Direction = n.LocalDirection switch
            {
                SdpDirection.SendOnly => RtpTransceiverDirection.SendOnly,
                SdpDirection.RecvOnly => RtpTransceiverDirection.RecvOnly,
                SdpDirection.Inactive => RtpTransceiverDirection.Inactive,
                _ => RtpTransceiverDirection.SendRecv,
            },
            SendCodec = ToRtp(n.SendCodec),
            SendTelephoneEvent = n.SendTelephoneEvent is null ? null : ToRtp(n.SendTelephoneEvent),
            ReceiveCodecs = n.ReceiveCodecs.Select(ToRtp).ToList(),
            SendKey = sendKey,
            ReceiveKey = receiveKey,
        };
        try
        {
            await _session.ConfigureAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (WebRtcException e)
        {
            throw new SessionMediaException($"the RTP session refused the negotiated media: {e.Message}", 305, e);
        }

        Negotiated = n;
        if (!_firstPacket.Task.IsCompleted)
        {
            _ = WatchFirstPacketAsync();
        }

        if (_drops is not null && Interlocked.Exchange(ref _reporting, 1) == 0)
        {
            _ = ReportDropsAsync(_drops);
        }

        if (_options.MediaTimeout is { } timeout && Interlocked.Exchange(ref _watching, 1) == 0)
        {
            _ = WatchInactivityAsync(timeout);
        }
    }

    private async Task WatchFirstPacketAsync()
    {
        try
        {
            while (!_watch.IsCancellationRequested && !_firstPacket.Task.IsCompleted)
            {
                if (_session.GetStatistics().RtpPacketsReceived > 0)
                {
                    _firstPacket.TrySetResult();
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20), _time, _watch.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or WebRtcException)
        {
            // Disposed before the peer sent anything.
        }
    }

    /// <summary>Dropped packets, logged by reason at most once per interval (the counters are the session's own).</summary>
    private async Task ReportDropsAsync(DropReporter drops)
    {
        try
        {
            while (!_watch.IsCancellationRequested)
            {
                drops.Report(_session.GetStatistics());
                await Task.Delay(DropReporter.Interval, _time, _watch.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or WebRtcException)
        {
            // Disposed: nothing left to report.
        }
    }

    private static RtpCodec ToRtp(SdpCodec c) => new(c.PayloadType, c.Name, c.ClockRate, c.Channels, c.Fmtp);

    private static async Task<IPAddress?> ResolveAsync(string address, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(address, out var ip))
        {
            return ip;
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(address, cancellationToken).ConfigureAwait(false);
            return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
                ?? throw new SessionMediaException($"the peer's media host '{address}' has no address");
        }
        catch (SocketException e)
        {
            throw new SessionMediaException($"the peer's media host '{address}' does not resolve: {e.Message}", 305, e);
        }
    }

    /// <summary>Nothing received (RTP or RTCP) from a peer that is not holding for <paramref name="timeout"/>: it is gone.</summary>
    private async Task WatchInactivityAsync(TimeSpan timeout)
    {
        var interval = TimeSpan.FromTicks(Math.Max(timeout.Ticks / 6, TimeSpan.FromMilliseconds(200).Ticks));
        ulong last = ulong.MaxValue;
        var lastChange = _time.GetUtcNow();
        try
        {
            while (!_watch.IsCancellationRequested)
            {
                await Task.Delay(interval, _time, _watch.Token).ConfigureAwait(false);
                var s = _session.GetStatistics();
                ulong received = s.RtpPacketsReceived + s.RtcpPacketsReceived;
                var now = _time.GetUtcNow();
                if (received != last || Negotiated?.RemoteHold == true)
                {
                    last = received;
                    lastChange = now;
                }
                else if (now - lastChange >= timeout)
                {
                    if (Interlocked.Exchange(ref _failed, 1) == 0)
                    {
                        MediaFailed?.Invoke(this, new SessionMediaFailedEventArgs($"no RTP/RTCP from the peer for {timeout.TotalSeconds:0.#} s"));
                    }

                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or WebRtcException)
        {
            // Disposed: nothing left to watch.
        }
    }

    /// <summary>The c= address of the next offer or answer.</summary>
    private IPAddress AdvertisedAddress() =>
        _currentAddress?.Invoke() ?? (_fallbackAddress ??= _options.AdvertisedAddress ?? ChooseAdvertisedAddress(_options.LocalAddress));

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(SrtpKey.KeyAndSaltLength));

    private static IPAddress ChooseAdvertisedAddress(IPAddress bound)
    {
        if (!bound.Equals(IPAddress.Any) && !bound.Equals(IPAddress.IPv6Any))
        {
            return bound;
        }

        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus != OperationalStatus.Up || nic.NetworkInterfaceType == NetworkInterfaceType.Loopback)
            {
                continue;
            }

            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                if (unicast.Address.AddressFamily == AddressFamily.InterNetwork)
                {
                    return unicast.Address;
                }
            }
        }

        return IPAddress.Loopback;
    }
}
