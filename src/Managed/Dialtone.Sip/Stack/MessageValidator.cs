using Dialtone.Sip.Message;

namespace Dialtone.Sip.Stack;

/// <summary>
/// Checks a parsed message has what the transaction layer needs (RFC 3261 §8.1.1: Via, From, To,
/// Call-ID, CSeq; CSeq method = request method) and that those headers parse. Throws
/// <see cref="SipParseException"/> saying which header is wrong.
/// </summary>
internal static class MessageValidator
{
    public static void Validate(SipMessage message)
    {
        // A request without a magic-cookie branch (RFC 2543) is still valid: §17.2.3 matches it by its fields.
        _ = message.TopVia ?? throw new SipParseException("missing Via header");
        _ = message.Vias;
        _ = message.From ?? throw new SipParseException("missing From header");
        _ = message.To ?? throw new SipParseException("missing To header");
        if (string.IsNullOrWhiteSpace(message.CallId))
            throw new SipParseException("missing Call-ID header");
        var cseq = message.CSeq ?? throw new SipParseException("missing CSeq header");
        _ = message.MaxForwards;
        _ = message.ContentType;
        if (message is SipRequest request)
        {
            if (cseq.Method != request.Method)
                throw new SipParseException($"CSeq method {cseq.Method} does not match request method {request.Method}");
            _ = request.Contacts;
            _ = request.Routes;
            _ = request.RecordRoutes;
        }
    }
}
