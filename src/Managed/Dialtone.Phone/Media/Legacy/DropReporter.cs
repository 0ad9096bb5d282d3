using Dialtone.WebRtc.Rtp;
using Microsoft.Extensions.Logging;

namespace Dialtone.Phone.Media.Legacy;

/// <summary>
/// Turns the RTP session's drop counters into log lines: one line per reason that grew since the
/// last look, with how many and the total — so a peer sending garbage, a stranger or wrong SDES keys
/// shows up in the log, but a flood of bad packets costs one line per reason per interval
/// (<see cref="Interval"/>), never one per packet.
/// </summary>
internal sealed partial class DropReporter(ILogger logger, string session)
{
    /// <summary>At most one line per reason this often.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private ulong _malformed, _oversized, _unknownPayload, _srtp, _stranger;

    /// <summary>Logs what grew since the previous call.</summary>
    public void Report(RtpSessionStatistics s)
    {
        Check(ref _malformed, s.DroppedMalformed, "malformed RTP/RTCP");
        Check(ref _oversized, s.DroppedOversized, "oversized (> 1500 bytes)");
        Check(ref _unknownPayload, s.DroppedUnknownPayload, "payload type not negotiated");
        Check(ref _srtp, s.DroppedSrtp, "SRTP/SRTCP authentication failed (wrong SDES keys?)");
        Check(ref _stranger, s.DroppedStranger, "from an address other than the peer's");
    }

    private void Check(ref ulong last, ulong now, string reason)
    {
        if (now > last)
        {
            Log.Dropped(logger, session, now - last, reason, now);
            last = now;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "RTP session {Session}: dropped {Count} packet(s): {Reason} ({Total} so far)")]
        public static partial void Dropped(ILogger logger, string session, ulong count, string reason, ulong total);
    }
}
