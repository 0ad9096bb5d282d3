using System.Net;

namespace Dialtone.WebRtc.Rtp;

/// <summary>Where an <see cref="RtpSession"/> binds its RTP/RTCP socket pair.</summary>
public sealed record RtpSessionOptions
{
    /// <summary>The local address to bind (default: every IPv4 address).</summary>
    public IPAddress LocalAddress { get; init; } = IPAddress.Any;

    /// <summary>The RTP port (even; RTCP takes the next one). 0: any free pair.</summary>
    public int LocalPort { get; init; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(LocalAddress, nameof(LocalAddress));
        if (LocalPort is < 0 or > 65534 || LocalPort % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(LocalPort), LocalPort, "must be 0 or an even port below 65535");
        }
    }
}
