namespace Dialtone.Phone.Media;

/// <summary>The media direction an SDP asks for (RFC 3264 §5.1), read from its audio section.</summary>
public enum MediaDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

/// <summary>
/// Reads the little of an SDP that call control needs without handing it to libwebrtc: the audio
/// section's direction (is the peer putting us on hold?). libwebrtc stays the judge of validity.
/// </summary>
internal static class SdpInspector
{
    /// <summary>The direction of the first audio m-section, else the session-level one, else sendrecv.</summary>
    public static MediaDirection AudioDirection(string sdp)
    {
        MediaDirection? session = null;
        MediaDirection? audio = null;
        var section = "session";
        foreach (var rawLine in sdp.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.StartsWith("m=", StringComparison.Ordinal))
            {
                if (section == "audio")
                    break; // only the first audio section counts
                section = line.StartsWith("m=audio", StringComparison.Ordinal) ? "audio" : "other";
                continue;
            }
            if (Parse(line) is not { } direction)
                continue;
            if (section == "session")
                session = direction;
            else if (section == "audio")
                audio = direction;
        }
        return audio ?? session ?? MediaDirection.SendRecv;
    }

    /// <summary>
    /// Whether the peer has put us on hold: it does not want to receive (sendonly/inactive). The
    /// RFC 2543 convention of a 0.0.0.0 connection address is not read as hold: WebRTC peers write
    /// 0.0.0.0 in every m-section that has no default candidate yet.
    /// </summary>
    public static bool IsHold(string sdp) => AudioDirection(sdp) is MediaDirection.SendOnly or MediaDirection.Inactive;

    private static MediaDirection? Parse(string line) => line switch
    {
        "a=sendrecv" => MediaDirection.SendRecv,
        "a=sendonly" => MediaDirection.SendOnly,
        "a=recvonly" => MediaDirection.RecvOnly,
        "a=inactive" => MediaDirection.Inactive,
        _ => null,
    };
}
