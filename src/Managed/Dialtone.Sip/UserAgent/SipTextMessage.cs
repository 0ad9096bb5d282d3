using Dialtone.Sip.Message;

namespace Dialtone.Sip.UserAgent;

/// <summary>A MESSAGE received (RFC 3428).</summary>
/// <param name="From">The sender (From header).</param>
/// <param name="To">The recipient as addressed.</param>
/// <param name="ContentType">The body's media type, e.g. <c>text/plain</c>.</param>
/// <param name="Text">The body decoded as UTF-8.</param>
/// <param name="Request">The whole request, for anything else.</param>
public sealed record SipTextMessage(SipAddress From, SipAddress To, string ContentType, string Text, SipRequest Request);
