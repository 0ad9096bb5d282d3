namespace Dialtone.Phone.Media;

/// <summary>
/// The remote SDP could not be used: what a 488 Not Acceptable Here reports, with libwebrtc's
/// reason for the Warning header.
/// </summary>
public sealed class MediaNegotiationException(string message, Exception? inner = null) : Exception(message, inner);
