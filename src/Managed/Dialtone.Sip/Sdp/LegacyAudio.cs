using System.Globalization;
using System.Net;
using System.Security.Cryptography;

namespace Dialtone.Sip.Sdp;

/// <summary>How the media of a call is carried (a per-account choice for outgoing calls).</summary>
public enum MediaProfile
{
    /// <summary>UDP/TLS/RTP/SAVPF: ICE + DTLS-SRTP through libwebrtc's PeerConnection.</summary>
    WebRtc,

    /// <summary>RTP/SAVP with SDES keys (RFC 4568), no ICE: carrier trunks' "secure" media.</summary>
    Sdes,

    /// <summary>RTP/AVP: unencrypted RTP, no ICE.</summary>
    Plain,
}

/// <summary>What we offer or answer on the legacy (non-WebRTC) path.</summary>
public sealed record LegacyAudioOptions
{
    /// <summary>Our address for c= (the address the RTP socket is reachable at).</summary>
    public required IPAddress Address { get; init; }

    public required int RtpPort { get; init; }

    /// <summary>Our RTCP port (written as a=rtcp when it is not RTP + 1); null: RTP + 1.</summary>
    public int? RtcpPort { get; init; }

    /// <summary><see cref="MediaProfile.Sdes"/> or <see cref="MediaProfile.Plain"/>.</summary>
    public MediaProfile Profile { get; init; } = MediaProfile.Sdes;

    /// <summary>The codecs we can take, in our preference order, with the payload types we offer.</summary>
    public IReadOnlyList<SdpCodec> Codecs { get; init; } = LegacyAudio.DefaultCodecs;

    /// <summary>RFC 4733 events (null: no DTMF). The payload type is ours when offering.</summary>
    public SdpCodec? TelephoneEvent { get; init; } = new(101, "telephone-event", 8000, 1, "0-16");

    /// <summary>The direction we want (SendOnly to hold, SendRecv to resume).</summary>
    public SdpDirection Direction { get; init; } = SdpDirection.SendRecv;

    /// <summary>Offer a=rtcp-mux (always accepted when the peer offers it).</summary>
    public bool OfferRtcpMux { get; init; }

    public string UserName { get; init; } = "dialtone";

    public ulong SessionId { get; init; }

    /// <summary>Incremented by the caller for each new offer/answer of the same session (RFC 3264 §8).</summary>
    public ulong SessionVersion { get; init; }

    /// <summary>Our SDES keys when offering (base64 of 30 bytes, by suite); null: fresh random keys.</summary>
    public IReadOnlyDictionary<string, string>? OfferedKeys { get; init; }
}

/// <summary>The result of an offer/answer on the legacy path: everything the RTP session needs.</summary>
public sealed record NegotiatedAudio
{
    public required MediaProfile Profile { get; init; }

    /// <summary>The peer's address from c= (an IP literal or, rarely, a host name); unspecified when it holds.</summary>
    public required string RemoteAddress { get; init; }

    public required int RemoteRtpPort { get; init; }

    /// <summary>a=rtcp when present; null: RTP + 1 (or the RTP port with mux).</summary>
    public int? RemoteRtcpPort { get; init; }

    public bool RtcpMux { get; init; }

    /// <summary>The codec we send, with the payload type the peer listed for it.</summary>
    public required SdpCodec SendCodec { get; init; }

    /// <summary>telephone-event as the peer listed it; null: no DTMF to send.</summary>
    public SdpCodec? SendTelephoneEvent { get; init; }

    /// <summary>The payload types we accept (ours, from our SDP).</summary>
    public required IReadOnlyList<SdpCodec> ReceiveCodecs { get; init; }

    /// <summary>Our direction (what our SDP says).</summary>
    public required SdpDirection LocalDirection { get; init; }

    /// <summary>The peer put us on hold (sendonly/inactive, or c=0.0.0.0).</summary>
    public bool RemoteHold { get; init; }

    public int? RemotePtime { get; init; }

    /// <summary>SDES suite name (AES_CM_128_HMAC_SHA1_80 or _32); null for plain RTP.</summary>
    public string? CryptoSuite { get; init; }

    /// <summary>Our key (we encrypt with it), base64 of key and salt.</summary>
    public string? LocalKey { get; init; }

    /// <summary>The peer's key (we decrypt with it).</summary>
    public string? RemoteKey { get; init; }

    public override string ToString() =>
        $"{Profile} {SendCodec} to {RemoteAddress}:{RemoteRtpPort}, {LocalDirection}" + (RemoteHold ? " (held by peer)" : string.Empty);
}

/// <summary>
/// RFC 3264 offer/answer for audio calls without ICE or DTLS: RTP/AVP and RTP/SAVP with SDES
/// (RFC 4568). Builds our offers and answers and reads the peer's, so that the result
/// (<see cref="NegotiatedAudio"/>) can configure an RTP session. Anything it cannot take throws
/// <see cref="SdpNegotiationException"/> with a message fit for a Warning header.
/// </summary>
public static class LegacyAudio
{
    public const string SuiteSha1_80 = "AES_CM_128_HMAC_SHA1_80";
    public const string SuiteSha1_32 = "AES_CM_128_HMAC_SHA1_32";
    private const int KeyAndSaltLength = 30;

    /// <summary>What the engine sends and receives, G.711 first (what every trunk takes).</summary>
    public static IReadOnlyList<SdpCodec> DefaultCodecs { get; } =
    [
        new(0, "PCMU", 8000),
        new(8, "PCMA", 8000),
        new(9, "G722", 8000),
        new(111, "opus", 48000, 2, "minptime=10;useinbandfec=1"),
    ];

    /// <summary>The profile of the first usable audio stream of an offer; null without one.</summary>
    public static MediaProfile? Classify(SdpMessage offer)
    {
        ArgumentNullException.ThrowIfNull(offer);
        foreach (var m in offer.Media)
        {
            if (!IsAudio(m) || m.Port == 0)
            {
                continue;
            }

            if (m.IsWebRtc)
            {
                return MediaProfile.WebRtc;
            }

            if (m.IsRtpSavp)
            {
                return MediaProfile.Sdes;
            }

            if (m.IsRtpAvp)
            {
                return MediaProfile.Plain;
            }
        }

        return null;
    }

    public static SdpMessage CreateOffer(LegacyAudioOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var media = NewAudio(options, ProtocolOf(options.Profile), options.Codecs, options.TelephoneEvent, options.Direction);
        if (options.Profile == MediaProfile.Sdes)
        {
            int tag = 1;
            foreach (string suite in new[] { SuiteSha1_80, SuiteSha1_32 })
            {
                string key = options.OfferedKeys?.GetValueOrDefault(suite) ?? NewKey();
                media.Attributes.Add(new SdpAttribute("crypto", new SdpCrypto(tag++, suite, key).Value));
            }
        }

        if (options.OfferRtcpMux)
        {
            media.Attributes.Add(new SdpAttribute("rtcp-mux"));
        }

        return Wrap(options, media);
    }

    /// <summary>
    /// Our answer to <paramref name="offer"/>: the first audio stream of our profile is accepted with
    /// the common codecs (in the offerer's order, its payload types), every other stream is refused
    /// with port 0.
    /// </summary>
    public static (SdpMessage Answer, NegotiatedAudio Result) CreateAnswer(SdpMessage offer, LegacyAudioOptions options)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Profile == MediaProfile.WebRtc)
        {
            throw new ArgumentException("The legacy path answers RTP/AVP or RTP/SAVP only.", nameof(options));
        }

        string protocol = ProtocolOf(options.Profile);
        int chosen = offer.Media.FindIndex(m => IsAudio(m) && m.Port != 0 && m.Protocol.Equals(protocol, StringComparison.OrdinalIgnoreCase));
        if (chosen < 0)
        {
            var streams = offer.Media.Where(m => m.Port != 0).Select(m => $"{m.Media} {m.Protocol}").ToList();
            throw new SdpNegotiationException(streams.Count == 0
                ? "the offer has no active media stream"
                : $"no {protocol} audio stream in the offer (offered: {string.Join(", ", streams)})");
        }

        var remote = offer.Media[chosen];
        var remoteCodecs = remote.Codecs;
        var common = remoteCodecs.Where(c => !c.IsTelephoneEvent && options.Codecs.Any(ours => ours.SameFormat(c))).ToList();
        if (common.Count == 0)
        {
            throw new SdpNegotiationException(
                $"no common audio codec (offered: {Describe(remoteCodecs.Where(c => !c.IsTelephoneEvent))}; supported: {Describe(options.Codecs)})");
        }

        // Fmtp of ours for formats that need it (opus), with the offerer's payload type.
        var receive = common.Select(c => c with { Fmtp = c.Fmtp ?? options.Codecs.First(o => o.SameFormat(c)).Fmtp }).ToList();
        SdpCodec send = receive[0];
        SdpCodec? telephoneEvent = options.TelephoneEvent is null ? null : PickTelephoneEvent(remoteCodecs, send.ClockRate);
        if (telephoneEvent is not null)
        {
            receive.Add(telephoneEvent);
        }

        var connection = offer.ConnectionFor(remote)!;
        SdpDirection offered = offer.DirectionOf(remote);
        bool remoteHold = connection.IsUnspecified || !offered.Receives();
        // RFC 2543 hold (c=0.0.0.0) means "do not send to me": answer as to sendonly.
        SdpDirection effectiveOffer = connection.IsUnspecified && offered == SdpDirection.SendRecv ? SdpDirection.SendOnly : offered;
        SdpDirection ours = SdpDirections.Answer(effectiveOffer, options.Direction);

        var answerMedia = NewAudio(options, remote.Protocol, receive.Where(c => !c.IsTelephoneEvent).ToList(), telephoneEvent, ours);
        string? suite = null, localKey = null, remoteKey = null;
        if (options.Profile == MediaProfile.Sdes)
        {
            SdpCrypto crypto = PickCrypto(remote) ?? throw new SdpNegotiationException(
                $"RTP/SAVP offer without a usable a=crypto (supported: {SuiteSha1_80} or {SuiteSha1_32} with one inline key, no MKI, no session parameters)");
            suite = crypto.Suite;
            remoteKey = crypto.KeyBase64;
            localKey = NewKey();
            answerMedia.Attributes.Add(new SdpAttribute("crypto", new SdpCrypto(crypto.Tag, crypto.Suite, localKey).Value));
        }

        if (remote.RtcpMux)
        {
            answerMedia.Attributes.Add(new SdpAttribute("rtcp-mux"));
        }

        var answer = Wrap(options, null);
        for (int i = 0; i < offer.Media.Count; i++)
        {
            answer.Media.Add(i == chosen ? answerMedia : Rejected(offer.Media[i]));
        }

        var result = new NegotiatedAudio
        {
            Profile = options.Profile,
            RemoteAddress = connection.Address,
            RemoteRtpPort = remote.Port,
            RemoteRtcpPort = remote.Rtcp?.Port,
            RtcpMux = remote.RtcpMux,
            SendCodec = send,
            SendTelephoneEvent = telephoneEvent,
            ReceiveCodecs = receive,
            LocalDirection = ours,
            RemoteHold = remoteHold,
            RemotePtime = remote.Ptime,
            CryptoSuite = suite,
            LocalKey = localKey,
            RemoteKey = remoteKey,
        };
        return (answer, result);
    }

    /// <summary>Reads the peer's answer to <paramref name="offer"/> (ours, from <see cref="CreateOffer"/>).</summary>
    public static NegotiatedAudio ReadAnswer(SdpMessage offer, SdpMessage answer, MediaProfile profile)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(answer);
        int index = offer.Media.FindIndex(m => IsAudio(m) && m.Port != 0);
        if (index < 0)
        {
            throw new ArgumentException("Our offer has no audio stream.", nameof(offer));
        }

        if (answer.Media.Count != offer.Media.Count)
        {
            throw new SdpNegotiationException($"the answer has {answer.Media.Count} m= lines for the offer's {offer.Media.Count} (RFC 3264 §6)");
        }

        var ours = offer.Media[index];
        var theirs = answer.Media[index];
        if (theirs.Port == 0)
        {
            throw new SdpNegotiationException("the peer refused the audio stream (port 0)");
        }

        if (!theirs.Protocol.Equals(ours.Protocol, StringComparison.OrdinalIgnoreCase))
        {
            throw new SdpNegotiationException($"the answer changed the transport from {ours.Protocol} to {theirs.Protocol}");
        }

        var offeredCodecs = ours.Codecs;
        var answered = theirs.Codecs;
        var send = answered.FirstOrDefault(c => !c.IsTelephoneEvent && offeredCodecs.Any(o => o.SameFormat(c)))
            ?? throw new SdpNegotiationException($"the answer has none of the offered codecs (answered: {Describe(answered)})");
        send = send with { Fmtp = send.Fmtp ?? offeredCodecs.First(o => o.SameFormat(send)).Fmtp };
        SdpCodec? telephoneEvent = offeredCodecs.Any(c => c.IsTelephoneEvent) ? PickTelephoneEvent(answered, send.ClockRate) : null;

        var connection = answer.ConnectionFor(theirs)!;
        SdpDirection answeredDirection = answer.DirectionOf(theirs);
        SdpDirection ourDirection = offer.DirectionOf(ours);
        string? suite = null, localKey = null, remoteKey = null;
        if (profile == MediaProfile.Sdes)
        {
            SdpCrypto crypto = PickCrypto(theirs) ?? throw new SdpNegotiationException("the RTP/SAVP answer has no usable a=crypto");
            SdpCrypto mine = ours.Cryptos.FirstOrDefault(c => c.Tag == crypto.Tag && c.Suite.Equals(crypto.Suite, StringComparison.Ordinal))
                ?? throw new SdpNegotiationException($"the answer's a=crypto tag {crypto.Tag} ({crypto.Suite}) is not one we offered");
            suite = crypto.Suite;
            localKey = mine.KeyBase64;
            remoteKey = crypto.KeyBase64;
        }

        return new NegotiatedAudio
        {
            Profile = profile,
            RemoteAddress = connection.Address,
            RemoteRtpPort = theirs.Port,
            RemoteRtcpPort = theirs.Rtcp?.Port,
            RtcpMux = ours.RtcpMux && theirs.RtcpMux,
            SendCodec = send,
            SendTelephoneEvent = telephoneEvent,
            ReceiveCodecs = offeredCodecs,
            // What we may do is what we offered, narrowed by what the peer answered.
            LocalDirection = SdpDirections.From(ourDirection.Sends() && answeredDirection.Receives() && !connection.IsUnspecified,
                                                ourDirection.Receives() && answeredDirection.Sends()),
            RemoteHold = connection.IsUnspecified || !answeredDirection.Receives(),
            RemotePtime = theirs.Ptime,
            CryptoSuite = suite,
            LocalKey = localKey,
            RemoteKey = remoteKey,
        };
    }

    private static bool IsAudio(SdpMedia m) => m.Media.Equals("audio", StringComparison.OrdinalIgnoreCase);

    private static string ProtocolOf(MediaProfile profile) => profile switch
    {
        MediaProfile.Plain => "RTP/AVP",
        MediaProfile.Sdes => "RTP/SAVP",
        _ => throw new ArgumentException("The legacy path speaks RTP/AVP or RTP/SAVP only.", nameof(profile)),
    };

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyAndSaltLength));

    private static string Describe(IEnumerable<SdpCodec> codecs) =>
        string.Join(", ", codecs.Select(c => $"{c.Name}/{c.ClockRate}"));

    private static SdpCodec? PickTelephoneEvent(IReadOnlyList<SdpCodec> codecs, int clockRate) =>
        codecs.FirstOrDefault(c => c.IsTelephoneEvent && c.ClockRate == clockRate) ??
        codecs.FirstOrDefault(c => c.IsTelephoneEvent && c.ClockRate == 8000);

    private static SdpCrypto? PickCrypto(SdpMedia media)
    {
        Span<byte> key = stackalloc byte[64];
        foreach (var crypto in media.Cryptos)
        {
            bool knownSuite = crypto.Suite is SuiteSha1_80 or SuiteSha1_32;
            if (!knownSuite || crypto.Mki is not null || crypto.SessionParameters is { Count: > 0 })
            {
                continue;
            }

            if (Convert.TryFromBase64String(crypto.KeyBase64, key, out int length) && length == KeyAndSaltLength)
            {
                return crypto;
            }
        }

        return null;
    }

    private static SdpMedia NewAudio(LegacyAudioOptions options, string protocol, IReadOnlyList<SdpCodec> codecs, SdpCodec? telephoneEvent,
                                     SdpDirection direction)
    {
        var all = telephoneEvent is null ? codecs.ToList() : codecs.Append(telephoneEvent).ToList();
        var media = new SdpMedia("audio", options.RtpPort, protocol, all.Select(c => c.PayloadType.ToString(CultureInfo.InvariantCulture)));
        foreach (var codec in all)
        {
            media.Attributes.Add(new SdpAttribute("rtpmap", codec.RtpMap));
            if (codec.Fmtp is not null)
            {
                media.Attributes.Add(new SdpAttribute("fmtp", codec.PayloadType.ToString(CultureInfo.InvariantCulture) + " " + codec.Fmtp));
            }
        }

        media.Attributes.Add(new SdpAttribute("ptime", "20"));
        int rtcp = options.RtcpPort ?? options.RtpPort + 1;
        media.Attributes.Add(new SdpAttribute("rtcp", rtcp.ToString(CultureInfo.InvariantCulture)));
        media.Attributes.Add(new SdpAttribute(direction.ToAttribute()));
        return media;
    }

    private static SdpMedia Rejected(SdpMedia offered)
    {
        // RFC 3264 §6: same media and transport, port 0, at least one format.
        return new SdpMedia(offered.Media, 0, offered.Protocol, offered.Formats.Take(1).DefaultIfEmpty("0"));
    }

    private static SdpMessage Wrap(LegacyAudioOptions options, SdpMedia? media)
    {
        ulong id = options.SessionId != 0 ? options.SessionId : (ulong)RandomNumberGenerator.GetInt32(1, int.MaxValue);
        var origin = new SdpOrigin(options.UserName, id, options.SessionVersion, "IN",
            options.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IP6" : "IP4", options.Address.ToString());
        var message = new SdpMessage(origin, "Dialtone") { Connection = SdpConnection.For(options.Address) };
        if (media is not null)
        {
            message.Media.Add(media);
        }

        return message;
    }
}
