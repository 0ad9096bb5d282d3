namespace Dialtone.WebRtc;

/// <summary>A native call failed. <see cref="Exception.Message"/> is the shim's (often libwebrtc's) own text.</summary>
public class WebRtcException(WebRtcErrorCode resultCode, string message) : Exception(message)
{
    public WebRtcErrorCode ResultCode { get; } = resultCode;
}

/// <summary>An SDP could not be parsed (<see cref="WebRtcErrorCode.SdpParse"/>) or was refused (<see cref="WebRtcErrorCode.SdpRejected"/>).</summary>
public sealed class SessionDescriptionException(WebRtcErrorCode resultCode, string message) : WebRtcException(resultCode, message);

/// <summary>A remote ICE candidate could not be parsed or added.</summary>
public sealed class IceCandidateException(WebRtcErrorCode resultCode, string message) : WebRtcException(resultCode, message);
