using System.Net;

namespace Dialtone.WebRtc.Rtp;

/// <summary>
/// The negotiated media of an <see cref="RtpSession"/>, taken from the local and remote SDP. Apply it
/// with <see cref="RtpSession.ConfigureAsync"/> after the offer/answer, and again after every
/// re-INVITE (hold, resume, new address, codec or keys).
/// </summary>
public sealed record RtpSessionConfiguration
{
    /// <summary>The peer's address (c=). Null or unspecified (0.0.0.0): send nothing (old-style hold).</summary>
    public IPAddress? RemoteAddress { get; init; }

    /// <summary>The peer's RTP port (m=); 0: send nothing.</summary>
    public int RemoteRtpPort { get; init; }

    /// <summary>The peer's RTCP port (a=rtcp); null: RTP port + 1.</summary>
    public int? RemoteRtcpPort { get; init; }

    /// <summary>RTCP on the RTP ports (a=rtcp-mux in both offer and answer).</summary>
    public bool RtcpMux { get; init; }

    /// <summary>Learn the peer's real address from its first valid packet (it may be behind a NAT).</summary>
    public bool Latching { get; init; } = true;

    /// <summary>Our direction as our SDP states it.</summary>
    public RtpTransceiverDirection Direction { get; init; } = RtpTransceiverDirection.SendRecv;

    /// <summary>The audio codec we send (ptime 20).</summary>
    public required RtpCodec SendCodec { get; init; }

    /// <summary>The telephone-event payload type we send DTMF with; null: no DTMF.</summary>
    public RtpCodec? SendTelephoneEvent { get; init; }

    /// <summary>Every payload type we accept (audio codecs and telephone-event).</summary>
    public IReadOnlyList<RtpCodec> ReceiveCodecs { get; init; } = [];

    /// <summary>Our SDES key (the one in our a=crypto); null with <see cref="ReceiveKey"/> null: plain RTP.</summary>
    public SrtpKey? SendKey { get; init; }

    /// <summary>The peer's SDES key (from its a=crypto).</summary>
    public SrtpKey? ReceiveKey { get; init; }

    /// <summary>RTCP report interval (default 5 s, RFC 3550's minimum).</summary>
    public TimeSpan RtcpReportInterval { get; init; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(SendCodec, nameof(SendCodec));
        SendCodec.Validate(nameof(SendCodec));
        if (SendCodec.IsTelephoneEvent)
        {
            throw new ArgumentException("telephone-event is not an audio codec to send.", nameof(SendCodec));
        }

        SendTelephoneEvent?.Validate(nameof(SendTelephoneEvent));
        ArgumentNullException.ThrowIfNull(ReceiveCodecs, nameof(ReceiveCodecs));
        foreach (var codec in ReceiveCodecs)
        {
            ArgumentNullException.ThrowIfNull(codec, nameof(ReceiveCodecs));
            codec.Validate(nameof(ReceiveCodecs));
        }

        if (RemoteRtpPort is < 0 or > 65535 || RemoteRtcpPort is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(RemoteRtpPort), "ports are 0..65535");
        }

        if ((SendKey is null) != (ReceiveKey is null))
        {
            throw new ArgumentException("SRTP needs both keys (ours and the peer's), plain RTP neither.", nameof(SendKey));
        }

        if (Direction == RtpTransceiverDirection.Stopped)
        {
            throw new ArgumentOutOfRangeException(nameof(Direction), Direction, "a legacy session is sendrecv, sendonly, recvonly or inactive");
        }

        if (RtcpReportInterval < TimeSpan.FromMilliseconds(100) || RtcpReportInterval > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(RtcpReportInterval), RtcpReportInterval, "must be 100 ms..1 min");
        }
    }
}
