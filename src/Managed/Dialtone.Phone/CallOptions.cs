using Dialtone.Phone.Media.Legacy;
using Dialtone.Sip.Sdp;

namespace Dialtone.Phone;

/// <summary>How one outgoing call is placed (<see cref="UserAgent.CallAsync(Dialtone.Sip.Message.UriReference, CallOptions, CancellationToken)"/>).</summary>
public sealed record CallOptions
{
    /// <summary>The call's media (WebRTC, SDES-SRTP or plain RTP); null uses the account's (<see cref="LegacyMediaOptions.OutgoingProfile"/>).</summary>
    public MediaProfile? Media { get; init; }

    /// <summary>
    /// Send the INVITE without an offer (late offer, "delayed offer", as many PBXs and trunks expect):
    /// the callee offers in its 200 OK (or in a reliable 18x) and our answer goes in the ACK (or the PRACK).
    /// Off by default: the INVITE carries our offer.
    /// </summary>
    public bool LateOffer { get; init; }
}
