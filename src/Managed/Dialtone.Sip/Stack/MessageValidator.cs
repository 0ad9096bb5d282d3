using Dialtone.Sip.Message;

namespace Dialtone.Sip.Stack;

/// <summary>
/// Checks a parsed message has what the transaction layer needs (RFC 3261 §8.1.1: Via, From, To,
/// Call-ID, CSeq; CSeq method = request method) and that those headers parse. Throws
/// <see cref="SipParseException"/> saying which header is wrong. Runs for every received message,
/// so it reads the headers in place (the zero-copy views and the records' check-only parsers): on
/// a parsed message it allocates nothing unless a header is wrong.
/// </summary>
internal static class MessageValidator
{
    public static void Validate(SipMessage message)
    {
        // A request without a magic-cookie branch (RFC 2543) is still valid: §17.2.3 matches it by its fields.
        if (!message.HasHeader(SipHeaderId.Via, SipHeaderNames.Via))
            throw new SipParseException("missing Via header");
        message.CheckVias();
        if (!message.HasHeader(SipHeaderId.From, SipHeaderNames.From))
            throw new SipParseException("missing From header");
        message.CheckAddress(SipHeaderId.From, SipHeaderNames.From);
        if (!message.HasHeader(SipHeaderId.To, SipHeaderNames.To))
            throw new SipParseException("missing To header");
        message.CheckAddress(SipHeaderId.To, SipHeaderNames.To);
        if (!message.HasCallId())
            throw new SipParseException("missing Call-ID header");
        // The view reads what SipCSeq.Parse accepts; when it does not read, the record says why.
        var hasView = message.TryGetCSeq(out var view);
        var cseq = hasView ? null : message.CSeq ?? throw new SipParseException("missing CSeq header");
        _ = message.MaxForwards;
        message.CheckContentType();
        if (message is SipRequest request)
        {
            if (hasView ? !view.IsMethod(request.Method) : cseq!.Method != request.Method)
                throw new SipParseException($"CSeq method {(hasView ? view.Method : cseq!.Method)} does not match request method {request.Method}");
            message.CheckAddressList(SipHeaderId.Contact, SipHeaderNames.Contact);
            message.CheckAddressList(SipHeaderId.Route, SipHeaderNames.Route);
            message.CheckAddressList(SipHeaderId.RecordRoute, SipHeaderNames.RecordRoute);
        }
    }
}
