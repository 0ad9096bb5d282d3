using Dialtone.Bindings;
using Dialtone.WebRtc.Interop;

namespace Dialtone.WebRtc.Tests.Api;

public sealed class ThrowHelperTests
{
    [Theory]
    [InlineData(WebRtcErrorCode.SdpParse, typeof(SessionDescriptionException))]
    [InlineData(WebRtcErrorCode.SdpRejected, typeof(SessionDescriptionException))]
    [InlineData(WebRtcErrorCode.IceCandidate, typeof(IceCandidateException))]
    [InlineData(WebRtcErrorCode.InvalidState, typeof(WebRtcException))]
    [InlineData(WebRtcErrorCode.DataChannelSend, typeof(WebRtcException))]
    [InlineData(WebRtcErrorCode.Closed, typeof(WebRtcException))]
    public void ResultCodesMapToExceptionsCarryingTheNativeMessage(WebRtcErrorCode code, Type expected)
    {
        var e = ThrowHelper.Create((int)code, "Failed to parse SessionDescription. garbage Expect line: v=", "SetRemoteDescription");
        Assert.IsType(expected, e);
        var webRtc = Assert.IsAssignableFrom<WebRtcException>(e);
        Assert.Equal((int)code, (int)webRtc.ResultCode);
        Assert.Contains("Expect line: v=", e.Message, StringComparison.Ordinal);
        Assert.Contains("SetRemoteDescription", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingNativeMessageStillNamesTheCodeAndOperation()
    {
        var e = ThrowHelper.Create((int)DtResultCode.ErrorInternal, null, "CreateOffer");
        Assert.Equal("CreateOffer failed: Internal", e.Message);
    }
}
