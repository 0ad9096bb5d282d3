namespace Dialtone.Sip.Sdp;

/// <summary>RFC 3264 media direction attributes.</summary>
public enum SdpDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

/// <summary>Direction helpers.</summary>
public static class SdpDirections
{
    public static string ToAttribute(this SdpDirection direction) => direction switch
    {
        SdpDirection.SendOnly => "sendonly",
        SdpDirection.RecvOnly => "recvonly",
        SdpDirection.Inactive => "inactive",
        _ => "sendrecv",
    };

    /// <summary>The direction an answerer takes for an offered one, given what it wants itself (RFC 3264 §6.1).</summary>
    public static SdpDirection Answer(SdpDirection offered, SdpDirection wanted)
    {
        bool offerSends = offered is SdpDirection.SendRecv or SdpDirection.SendOnly;
        bool offerReceives = offered is SdpDirection.SendRecv or SdpDirection.RecvOnly;
        bool wantSend = wanted is SdpDirection.SendRecv or SdpDirection.SendOnly;
        bool wantReceive = wanted is SdpDirection.SendRecv or SdpDirection.RecvOnly;
        return From(send: wantSend && offerReceives, receive: wantReceive && offerSends);
    }

    public static SdpDirection From(bool send, bool receive) => (send, receive) switch
    {
        (true, true) => SdpDirection.SendRecv,
        (true, false) => SdpDirection.SendOnly,
        (false, true) => SdpDirection.RecvOnly,
        _ => SdpDirection.Inactive,
    };

    public static bool Sends(this SdpDirection direction) => direction is SdpDirection.SendRecv or SdpDirection.SendOnly;

    public static bool Receives(this SdpDirection direction) => direction is SdpDirection.SendRecv or SdpDirection.RecvOnly;
}
