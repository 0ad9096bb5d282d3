using Dialtone.Sip.Sessions;

namespace Dialtone.Phone.Media;

/// <summary>
/// The remote SDP could not be used by libwebrtc: what a 488 Not Acceptable Here reports, with
/// libwebrtc's reason in the Warning header (305, incompatible media format).
/// </summary>
public sealed class MediaNegotiationException(string message, Exception? inner = null) : SessionMediaException(message, 305, inner);
