namespace Dialtone.Sip.Message;

// The zero-copy reads: views over the message's bytes for the headers every transaction and
// dialog lookup reads. They never throw and allocate nothing on a parsed, unedited message (a
// message built in code, or whose Headers were touched, encodes each header value once).
public abstract partial class SipMessage
{
    /// <summary>The first entry of the topmost Via, read in place; false when there is no Via or it is malformed.</summary>
    public bool TryGetTopVia(out SipViaView via)
    {
        via = default;
        return TryGetRawValue(SipHeaderId.Via, SipHeaderNames.Via, out var value) && SipViaView.TryParse(value, out via);
    }

    /// <summary>From, read in place; false when absent or malformed.</summary>
    public bool TryGetFrom(out SipAddressView from) => TryGetAddress(SipHeaderId.From, SipHeaderNames.From, out from);

    /// <summary>To, read in place; false when absent or malformed.</summary>
    public bool TryGetTo(out SipAddressView to) => TryGetAddress(SipHeaderId.To, SipHeaderNames.To, out to);

    /// <summary>The first Contact address, read in place; false when absent or malformed.</summary>
    public bool TryGetContact(out SipAddressView contact) => TryGetAddress(SipHeaderId.Contact, SipHeaderNames.Contact, out contact);

    /// <summary>The first address of the first header <paramref name="id"/>; false when absent or malformed.</summary>
    private bool TryGetAddress(SipHeaderId id, string name, out SipAddressView address)
    {
        address = default;
        return TryGetRawValue(id, name, out var value) && SipAddressView.TryParse(value, out address);
    }

    /// <summary>CSeq number and method, read in place; false when absent or malformed.</summary>
    public bool TryGetCSeq(out SipCSeqView cseq)
    {
        cseq = default;
        return TryGetRawValue(SipHeaderId.CSeq, SipHeaderNames.CSeq, out var value) && SipCSeqView.TryParse(value, out cseq);
    }

    /// <summary>
    /// The Call-ID as UTF-8 bytes in place (trimmed); false when absent, empty or not one word
    /// (RFC 3261 §25.1 callid has no whitespace).
    /// </summary>
    public bool TryGetCallId(out ReadOnlySpan<byte> callId)
    {
        callId = default;
        if (!TryGetRawValue(SipHeaderId.CallId, SipHeaderNames.CallId, out var value))
            return false;
        value = value.Trim(" \t\r\n"u8);
        if (value.IsEmpty || value.ContainsAny(" \t\r\n"u8))
            return false;
        callId = value;
        return true;
    }

    /// <summary>The raw value bytes of the first header <paramref name="id"/>, from the index or from the header objects.</summary>
    private bool TryGetRawValue(SipHeaderId id, string name, out ReadOnlySpan<byte> value)
    {
        if (IsIndexed)
        {
            var i = _index.Find(id);
            value = i >= 0 ? _index.RawValue(i) : default;
            return i >= 0;
        }
        var header = Headers.First(name);
        value = header is null ? default : header.ValueUtf8;
        return header is not null;
    }
}
