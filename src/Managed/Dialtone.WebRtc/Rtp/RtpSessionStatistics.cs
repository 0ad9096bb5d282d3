namespace Dialtone.WebRtc.Rtp;

/// <summary>
/// A snapshot of an <see cref="RtpSession"/>: socket-level packet counts, drops by reason, and the
/// engine's RTP/RTCP view. Values the session cannot know yet are null.
/// </summary>
public sealed record RtpSessionStatistics
{
    public ulong RtpPacketsSent { get; init; }

    public ulong RtpBytesSent { get; init; }

    /// <summary>Accepted (validated) RTP packets.</summary>
    public ulong RtpPacketsReceived { get; init; }

    public ulong RtpBytesReceived { get; init; }

    public ulong RtcpPacketsSent { get; init; }

    public ulong RtcpPacketsReceived { get; init; }

    /// <summary>Not RTP/RTCP version 2, truncated, inconsistent lengths.</summary>
    public ulong DroppedMalformed { get; init; }

    /// <summary>Larger than 1500 bytes.</summary>
    public ulong DroppedOversized { get; init; }

    /// <summary>A payload type that was not negotiated.</summary>
    public ulong DroppedUnknownPayload { get; init; }

    /// <summary>SRTP/SRTCP authentication or replay check failed (wrong keys, tampering).</summary>
    public ulong DroppedSrtp { get; init; }

    /// <summary>From an address other than the peer's.</summary>
    public ulong DroppedStranger { get; init; }

    public uint LocalSsrc { get; init; }

    /// <summary>The peer's SSRC; null before its first packet.</summary>
    public uint? RemoteSsrc { get; init; }

    /// <summary>The payload type we send; null before configuration.</summary>
    public int? SendPayloadType { get; init; }

    /// <summary>Packets lost on the way to us (sequence gaps).</summary>
    public long PacketsLost { get; init; }

    /// <summary>Interarrival jitter of what we receive.</summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>Packets the peer reported lost (RTCP); null before its first report.</summary>
    public long? RemotePacketsLost { get; init; }

    /// <summary>Jitter the peer reported (RTCP); null before its first report.</summary>
    public TimeSpan? RemoteJitter { get; init; }

    /// <summary>Round-trip time from RTCP SR/RR; null until measured.</summary>
    public TimeSpan? RoundTripTime { get; init; }

    /// <summary>0..1 of full scale, what we send.</summary>
    public double SendAudioLevel { get; init; }

    /// <summary>0..1 of full scale, what we play; null before anything was received.</summary>
    public double? ReceiveAudioLevel { get; init; }

    /// <summary>Samples NetEq concealed (loss or late packets).</summary>
    public ulong ConcealedSamples { get; init; }

    public ulong TotalSamplesReceived { get; init; }

    /// <summary>True once latching learned the peer's address from its packets.</summary>
    public bool RemoteAddressLatched { get; init; }
}
