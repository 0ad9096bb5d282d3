using System.Net;

namespace Dialtone.WebRtc.Rtp;

/// <summary>
/// An RFC 4733 telephone-event from the peer: raised once when it starts (<see cref="Ended"/> false)
/// and once when it ends, in the order the peer sent them.
/// </summary>
public sealed class RtpDtmfEventArgs(int eventCode, char? tone, bool ended, TimeSpan duration, int volume, uint rtpTimestamp) : EventArgs
{
    /// <summary>The RFC 4733 event code (0-9, 10 '*', 11 '#', 12-15 'A'-'D', others as is).</summary>
    public int EventCode { get; } = eventCode;

    /// <summary>'0'-'9', '*', '#', 'A'-'D'; null for other events.</summary>
    public char? Tone { get; } = tone;

    public bool Ended { get; } = ended;

    /// <summary>The duration so far; the whole duration when <see cref="Ended"/>.</summary>
    public TimeSpan Duration { get; } = duration;

    /// <summary>0..63 (-dBm0).</summary>
    public int Volume { get; } = volume;

    /// <summary>Identifies the event (all packets of one event share it).</summary>
    public uint RtpTimestamp { get; } = rtpTimestamp;
}

/// <summary>Latching moved our RTP or RTCP destination to the address the peer really sends from.</summary>
public sealed class RtpAddressLatchedEventArgs(bool isRtcp, IPEndPoint remote) : EventArgs
{
    public bool IsRtcp { get; } = isRtcp;

    public IPEndPoint Remote { get; } = remote;
}
