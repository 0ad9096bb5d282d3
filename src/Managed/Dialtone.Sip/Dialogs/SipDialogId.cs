using Dialtone.Sip.Message;

namespace Dialtone.Sip.Dialogs;

/// <summary>A dialog's identity (RFC 3261 §12): Call-ID, local tag, remote tag (case-sensitive compare).</summary>
public readonly record struct SipDialogId(string CallId, string LocalTag, string RemoteTag)
{
    /// <summary>The id of the dialog a received request belongs to: local tag = To tag, remote = From tag.</summary>
    public static SipDialogId? ForIncomingRequest(SipRequest request) =>
        request.CallId is { } callId && request.To?.Tag is { } local && request.From?.Tag is { } remote ? new(callId, local, remote) : null;

    /// <summary>The id of the dialog a received response belongs to (we sent the request): local = From tag, remote = To tag.</summary>
    public static SipDialogId? ForResponse(SipResponse response) =>
        response.CallId is { } callId && response.From?.Tag is { } local && response.To?.Tag is { } remote ? new(callId, local, remote) : null;

    public override string ToString() => $"{CallId};local={LocalTag};remote={RemoteTag}";
}
