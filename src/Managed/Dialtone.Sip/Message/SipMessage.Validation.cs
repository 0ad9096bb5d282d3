namespace Dialtone.Sip.Message;

// Checks for the receive path (Stack/MessageValidator): each throws the SipParseException the
// typed property would throw for the same header, but on a parsed, unedited message it reads the
// header in place and builds nothing (no records, no header objects, no strings): the common
// shapes pass a byte-level check (SipQuickGrammar), anything else the records' check-only parsers. A built or
// edited message goes through its header objects, as the properties do.
public abstract partial class SipMessage
{
    /// <summary>Whether at least one header <paramref name="id"/> is present.</summary>
    internal bool HasHeader(SipHeaderId id, string name) => IsIndexed ? _index.Find(id) >= 0 : Headers.First(name) is not null;

    /// <summary>Checks every Via line as <see cref="Vias"/> parses them.</summary>
    internal void CheckVias()
    {
        if (!IsIndexed || _vias is not null)
        {
            _ = Vias;
            return;
        }
        for (var i = _index.Find(SipHeaderId.Via); i >= 0; i = _index.Find(SipHeaderId.Via, i + 1))
        {
            if (!SipQuickGrammar.IsPlainViaList(_index.RawValue(i)))
                _index.Parse(i, SipHeaderNames.Via, static (v, what, line) => { SipVia.ValidateList(v, what, line); return true; });
        }
    }

    /// <summary>Checks the first From/To header as <see cref="From"/> and <see cref="To"/> parse it.</summary>
    internal void CheckAddress(SipHeaderId id, string name)
    {
        if (!IsIndexed)
        {
            _ = Address(name);
            return;
        }
        if (_index.Find(id) is var i and >= 0 && !SipQuickGrammar.IsPlainNameAddr(_index.RawValue(i), list: false))
            _index.Parse(i, name, static (v, what, line) => { SipAddress.Validate(v, what, line); return true; });
    }

    /// <summary>Checks every address of every header <paramref name="id"/> (Contact, Route, Record-Route) as <see cref="AddressList"/> parses them.</summary>
    internal void CheckAddressList(SipHeaderId id, string name)
    {
        if (!IsIndexed)
        {
            _ = AddressList(name);
            return;
        }
        for (var i = _index.Find(id); i >= 0; i = _index.Find(id, i + 1))
        {
            if (!SipQuickGrammar.IsPlainNameAddr(_index.RawValue(i), list: true))
                _index.Parse(i, name, static (v, what, line) => { ParseAddresses(v, what, line, build: false); return true; });
        }
    }

    /// <summary>Checks Content-Type as <see cref="ContentType"/> parses it.</summary>
    internal void CheckContentType()
    {
        if (!IsIndexed || _contentType is not null)
        {
            _ = ContentType;
            return;
        }
        if (_index.Find(SipHeaderId.ContentType) is var i and >= 0 && !SipQuickGrammar.IsPlainMediaType(_index.RawValue(i)))
            _index.Parse(i, SipHeaderNames.ContentType, static (v, what, line) => { SipContentType.Validate(v, what, line); return true; });
    }

    /// <summary>Whether <see cref="CallId"/> would be neither null nor white space.</summary>
    internal bool HasCallId()
    {
        if (!TryGetRawValue(SipHeaderId.CallId, SipHeaderNames.CallId, out var value))
            return false;
        value = value.Trim(" \t\r\n"u8);
        // Non-ASCII could be Unicode white space only: decide as the string check does.
        return !value.IsEmpty && (System.Text.Ascii.IsValid(value) || !string.IsNullOrWhiteSpace(CallId));
    }
}
