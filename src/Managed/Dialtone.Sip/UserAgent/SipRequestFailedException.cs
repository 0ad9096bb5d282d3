using Dialtone.Sip.Message;

namespace Dialtone.Sip.UserAgent;

/// <summary>A request got a final response that is not a success.</summary>
public sealed class SipRequestFailedException(SipResponse response, string? what = null)
    : Exception($"{what ?? response.CSeq?.Method ?? "request"} failed: {response.StatusCode} {response.ReasonPhrase}")
{
    public SipResponse Response { get; } = response;

    public int StatusCode => Response.StatusCode;
}
