using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;

namespace Dialtone.Phone;

/// <summary>The SIP server named in <see cref="UserAgentOptions.Server"/>: a WebSocket URL or a SIP URI.</summary>
internal sealed record ServerAddress(Uri? WebSocketUri, SipUri? SipUri)
{
    public static ServerAddress Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        if (text.StartsWith("ws://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("wss://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
                throw new ArgumentException($"'{text}' is not a valid WebSocket URL.");
            return new ServerAddress(uri, null);
        }
        if (!Dialtone.Sip.Message.SipUri.TryParse(text, out var sipUri) || sipUri is null)
            throw new ArgumentException($"Server '{text}' must be ws://…, wss://…, or a SIP URI such as sip:pbx.example.com;transport=tls.");
        _ = SipUriResolver.TransportOf(sipUri); // rejects an unknown transport parameter now, not at first use
        return new ServerAddress(null, sipUri);
    }

    public override string ToString() => WebSocketUri?.ToString() ?? SipUri!.ToString();
}
