using System.Globalization;

namespace Dialtone.Sip.Message;

/// <summary>
/// A SIP request or response: ordered headers and a body. Typed properties parse the raw header
/// on first use (throwing <see cref="SipParseException"/> when it is malformed) and setters
/// replace the header line. Parse with <see cref="SipParser"/>, write with <see cref="SipSerializer"/>.
/// </summary>
public abstract partial class SipMessage
{
    // A parsed message starts as an index into its one buffer (_index, with _headers null): the
    // typed properties parse straight from the bytes and cache their result in the fields below.
    // The first use of Headers (to read other headers, or to edit) makes the header objects,
    // handing them these cached values; from then on everything goes through _headers.
    private readonly SipHeaderIndex _index;
    private SipHeaderCollection? _headers;
    private List<SipVia>? _topViaLine;
    private List<SipVia>? _vias;
    private SipAddress? _from;
    private SipAddress? _to;
    private SipCSeq? _cseq;
    private string? _callId;
    private SipContentType? _contentType;
    private List<SipAddress>? _contacts;

    private protected SipMessage(SipHeaderCollection headers, ReadOnlyMemory<byte> body)
    {
        _headers = headers;
        Body = body;
    }

    private protected SipMessage(in SipHeaderIndex index, ReadOnlyMemory<byte> body)
    {
        _index = index;
        Body = body;
    }

    public const string SipVersion = "SIP/2.0";

    public SipHeaderCollection Headers => _headers ?? MaterializeHeaders();

    /// <summary>The body bytes (exactly Content-Length bytes for a parsed message).</summary>
    public ReadOnlyMemory<byte> Body { get; private set; }

    private protected bool IsIndexed => _headers is null;

    private protected ref readonly SipHeaderIndex Index => ref _index;

    /// <summary>Sets the body, its Content-Type (removed when null) and a matching Content-Length.</summary>
    public void SetBody(ReadOnlyMemory<byte> body, SipContentType? contentType)
    {
        Body = body;
        if (contentType is null)
            Headers.Remove(SipHeaderNames.ContentType);
        else
            Headers.Set(SipHeaderNames.ContentType, contentType.ToString());
        Headers.Set(SipHeaderNames.ContentLength, body.Length.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>All Via entries, top first, across every Via line.</summary>
    public IReadOnlyList<SipVia> Vias
    {
        get
        {
            if (IsIndexed)
                return _vias ?? IndexedVias();
            List<SipVia>? all = null;
            foreach (var h in Headers.All(SipHeaderNames.Via))
                (all ??= []).AddRange(h.GetTyped((v, line) => SipVia.ParseList(v, "Via", line)));
            return all is null ? [] : all;
        }
    }

    /// <summary>The topmost Via, or null when there is none.</summary>
    public SipVia? TopVia => IsIndexed
        ? TopViaLine()?[0]
        : Headers.First(SipHeaderNames.Via)?.GetTyped((v, line) => SipVia.ParseList(v, "Via", line))[0];

    /// <summary>Adds a Via above all others (the sending element's own Via).</summary>
    public void PushVia(SipVia via) => Headers.Prepend(new SipHeader(SipHeaderNames.Via, via.ToString()));

    /// <summary>Replaces the topmost Via entry (e.g. to add received/rport), keeping the rest.</summary>
    public void ReplaceTopVia(SipVia via)
    {
        var first = Headers.First(SipHeaderNames.Via) ?? throw new InvalidOperationException("The message has no Via.");
        var entries = first.GetTyped((v, line) => SipVia.ParseList(v, "Via", line));
        var value = string.Join(", ", [via.ToString(), .. entries.Skip(1).Select(e => e.ToString())]);
        Headers.ReplaceAt(Headers.IndexOf(first), new SipHeader(first.Name, value));
    }

    /// <summary>Removes the topmost Via entry (as a response travels back).</summary>
    public void PopVia()
    {
        var first = Headers.First(SipHeaderNames.Via) ?? throw new InvalidOperationException("The message has no Via.");
        var entries = first.GetTyped((v, line) => SipVia.ParseList(v, "Via", line));
        if (entries.Count == 1)
            Headers.Remove(first);
        else
            Headers.ReplaceAt(Headers.IndexOf(first), new SipHeader(first.Name, string.Join(", ", entries.Skip(1))));
    }

    public SipAddress? From
    {
        get => IsIndexed ? _from ??= IndexedAddress(SipHeaderId.From, SipHeaderNames.From) : Address(SipHeaderNames.From);
        set => SetOrRemove(SipHeaderNames.From, value?.ToString());
    }

    public SipAddress? To
    {
        get => IsIndexed ? _to ??= IndexedAddress(SipHeaderId.To, SipHeaderNames.To) : Address(SipHeaderNames.To);
        set => SetOrRemove(SipHeaderNames.To, value?.ToString());
    }

    public string? CallId
    {
        get
        {
            if (!IsIndexed)
                return Headers[SipHeaderNames.CallId];
            if (_callId is null && _index.Find(SipHeaderId.CallId) is var i and >= 0)
                _callId = _index.ValueString(i);
            return _callId;
        }
        set => SetOrRemove(SipHeaderNames.CallId, value);
    }

    public SipCSeq? CSeq
    {
        get
        {
            if (!IsIndexed)
                return Headers.First(SipHeaderNames.CSeq)?.GetTyped((v, line) => SipCSeq.Parse(v, "CSeq", line));
            if (_cseq is null && _index.Find(SipHeaderId.CSeq) is var i and >= 0)
                _cseq = _index.Parse(i, "CSeq", static (v, what, line) => SipCSeq.Parse(v, what, line));
            return _cseq;
        }
        set => SetOrRemove(SipHeaderNames.CSeq, value?.ToString());
    }

    public int? MaxForwards
    {
        get => Integer(SipHeaderId.MaxForwards, SipHeaderNames.MaxForwards, 255);
        set => SetOrRemove(SipHeaderNames.MaxForwards, value?.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The Expires header in seconds, or null.</summary>
    public int? Expires
    {
        get => Integer(SipHeaderId.Expires, SipHeaderNames.Expires, int.MaxValue);
        set => SetOrRemove(SipHeaderNames.Expires, value?.ToString(CultureInfo.InvariantCulture));
    }

    public int? ContentLength => Integer(SipHeaderId.ContentLength, SipHeaderNames.ContentLength, int.MaxValue);

    public SipContentType? ContentType
    {
        get
        {
            if (!IsIndexed)
                return Headers.First(SipHeaderNames.ContentType)?.GetTyped((v, line) => SipContentType.Parse(v, "Content-Type", line));
            if (_contentType is null && _index.Find(SipHeaderId.ContentType) is var i and >= 0)
                _contentType = _index.Parse(i, "Content-Type", static (v, what, line) => SipContentType.Parse(v, what, line));
            return _contentType;
        }
    }

    public IReadOnlyList<SipAddress> Contacts => IsIndexed ? _contacts ??= IndexedAddressList(SipHeaderId.Contact, SipHeaderNames.Contact) : AddressList(SipHeaderNames.Contact);

    public IReadOnlyList<SipAddress> RecordRoutes => AddressList(SipHeaderNames.RecordRoute);

    public IReadOnlyList<SipAddress> Routes => AddressList(SipHeaderNames.Route);

    /// <summary>Reads a multipart body (RFC 2046) using the Content-Type boundary; throws <see cref="SipParseException"/> if it is not multipart.</summary>
    public IReadOnlyList<SipBodyPart> GetBodyParts()
    {
        var type = ContentType ?? throw new SipParseException("Content-Type: missing, so the body is not multipart");
        if (!type.IsMultipart || type.Boundary is not { Length: > 0 } boundary)
            throw new SipParseException($"Content-Type: '{type.MediaType}' is not multipart with a boundary");
        return SipMultipartReader.Read(Body, boundary);
    }

    /// <summary>Parses every comma-separated address across the lines of a header (Contact, Route…).</summary>
    public IReadOnlyList<SipAddress> AddressList(string name)
    {
        if (IsIndexed)
        {
            switch (SipHeaderNames.Canonical(name))
            {
                case SipHeaderNames.Contact:
                    return IndexedAddressList(SipHeaderId.Contact, SipHeaderNames.Contact);
                case SipHeaderNames.Route:
                    return IndexedAddressList(SipHeaderId.Route, SipHeaderNames.Route);
                case SipHeaderNames.RecordRoute:
                    return IndexedAddressList(SipHeaderId.RecordRoute, SipHeaderNames.RecordRoute);
            }
        }
        List<SipAddress>? all = null;
        foreach (var h in Headers.All(name))
            (all ??= []).AddRange(h.GetTyped((v, line) => ParseAddresses(v, h.Key, line)));
        return all is null ? [] : all;
    }

    private List<SipVia>? TopViaLine()
    {
        if (_topViaLine is null && _index.Find(SipHeaderId.Via) is var i and >= 0)
            _topViaLine = _index.Parse(i, "Via", static (v, what, line) => SipVia.ParseList(v, what, line));
        return _topViaLine;
    }

    private List<SipVia> IndexedVias()
    {
        var first = TopViaLine();
        if (first is null)
            return _vias = [];
        var all = first;
        for (var i = _index.Find(SipHeaderId.Via, _index.Find(SipHeaderId.Via) + 1); i >= 0; i = _index.Find(SipHeaderId.Via, i + 1))
        {
            if (ReferenceEquals(all, first))
                all = [.. first];
            all.AddRange(_index.Parse(i, "Via", static (v, what, line) => SipVia.ParseList(v, what, line)));
        }
        return _vias = all;
    }

    private SipAddress? IndexedAddress(SipHeaderId id, string name) =>
        _index.Find(id) is var i and >= 0 ? _index.Parse(i, name, static (v, what, line) => SipAddress.Parse(v, what, line)) : null;

    private List<SipAddress> IndexedAddressList(SipHeaderId id, string name)
    {
        List<SipAddress>? all = null;
        for (var i = _index.Find(id); i >= 0; i = _index.Find(id, i + 1))
        {
            var list = _index.Parse(i, name, static (v, what, line) => ParseAddresses(v, what, line));
            if (all is null)
                all = list;
            else
                all.AddRange(list);
        }
        return all ?? [];
    }

    private SipHeaderCollection MaterializeHeaders()
    {
        var list = _index.Materialize((id, i) => i != _index.Find(id) ? default : id switch
        {
            SipHeaderId.Via => (_topViaLine, null),
            SipHeaderId.From => (_from, null),
            SipHeaderId.To => (_to, null),
            SipHeaderId.CSeq => (_cseq, null),
            SipHeaderId.CallId => (null, _callId),
            SipHeaderId.ContentType => (_contentType, null),
            _ => default((object?, string?)),
        });
        var headers = new SipHeaderCollection(list);
        return Interlocked.CompareExchange(ref _headers, headers, null) ?? headers;
    }

    /// <summary>
    /// The bytes of an unedited parsed message as <see cref="SipSerializer"/> writes them: the
    /// header section exactly as received, and the start line when <see cref="StartLine"/> would
    /// write the same bytes (null otherwise).
    /// </summary>
    internal bool TryGetRawHead(out ReadOnlySpan<byte> startLine, out ReadOnlySpan<byte> headerSection)
    {
        if (!IsIndexed)
        {
            startLine = headerSection = default;
            return false;
        }
        var lineLength = _index.Buffer.AsSpan(0, _index.BodyStart).IndexOf("\r\n"u8);
        startLine = _index.Buffer.AsSpan(0, lineLength);
        if (!IsStartLineAsReceived(startLine))
            startLine = default;
        headerSection = _index.Buffer.AsSpan(lineLength + 2, _index.BodyStart - lineLength - 2);
        return true;
    }

    /// <summary>Whether <see cref="StartLine"/> is still exactly <paramref name="received"/> (the parser's bytes).</summary>
    private protected abstract bool IsStartLineAsReceived(ReadOnlySpan<byte> received);

    private static List<SipAddress> ParseAddresses(ReadOnlySpan<char> value, string what, int line) => ParseAddresses(value, what, line, build: true)!;

    /// <summary>The comma-separated addresses of one header value; with <paramref name="build"/> false only checks them (null result).</summary>
    private static List<SipAddress>? ParseAddresses(ReadOnlySpan<char> value, string what, int line, bool build)
    {
        var s = new SipScanner(value, what, line);
        var list = build ? new List<SipAddress>(1) : null;
        do
        {
            var address = SipAddress.ParseOne(ref s, build);
            list?.Add(address!);
            s.SkipWhitespace();
        }
        while (s.TryConsume(','));
        if (!s.AtEnd)
            throw s.Error($"unexpected '{s.Peek}'");
        return list;
    }

    private SipAddress? Address(string name) =>
        Headers.First(name)?.GetTyped((v, line) => SipAddress.Parse(v, name, line));

    private int? Integer(SipHeaderId id, string name, int max)
    {
        if (IsIndexed)
        {
            var i = _index.Find(id);
            if (i < 0)
                return null;
            if (!_index.TryReadNumber(i, out var number) || number > max)
                throw new SipParseException($"{name}: '{UriReference.Shorten(_index.ValueString(i))}' is not a number from 0 to {max}", _index.Entry(i).Line);
            return (int)number;
        }
        var h = Headers.First(name);
        if (h is null)
            return null;
        var v = h.Value;
        if (v.Length is 0 or > 10 || !long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > max)
            throw new SipParseException($"{name}: '{UriReference.Shorten(v)}' is not a number from 0 to {max}", h.Line);
        return (int)n;
    }

    private void SetOrRemove(string name, string? value)
    {
        if (value is null)
            Headers.Remove(name);
        else
            Headers.Set(name, value);
    }

    /// <summary>The start line without CRLF.</summary>
    public abstract string StartLine { get; }

    /// <summary>The whole message as text (body decoded as UTF-8), for logs and tests.</summary>
    public override string ToString() => System.Text.Encoding.UTF8.GetString(SipSerializer.Serialize(this));
}
