using System.Globalization;

namespace Dialtone.Sip.Message;

/// <summary>
/// A SIP request or response: ordered headers and a body. Typed properties parse the raw header
/// on first use (throwing <see cref="SipParseException"/> when it is malformed) and setters
/// replace the header line. Parse with <see cref="SipParser"/>, write with <see cref="SipSerializer"/>.
/// </summary>
public abstract class SipMessage
{
    private protected SipMessage(SipHeaderCollection headers, ReadOnlyMemory<byte> body)
    {
        Headers = headers;
        Body = body;
    }

    public const string SipVersion = "SIP/2.0";

    public SipHeaderCollection Headers { get; }

    /// <summary>The body bytes (exactly Content-Length bytes for a parsed message).</summary>
    public ReadOnlyMemory<byte> Body { get; private set; }

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
            List<SipVia>? all = null;
            foreach (var h in Headers.All(SipHeaderNames.Via))
                (all ??= []).AddRange(h.GetTyped((v, line) => SipVia.ParseList(v, "Via", line)));
            return all is null ? [] : all;
        }
    }

    /// <summary>The topmost Via, or null when there is none.</summary>
    public SipVia? TopVia => Headers.First(SipHeaderNames.Via)?.GetTyped((v, line) => SipVia.ParseList(v, "Via", line))[0];

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
        get => Address(SipHeaderNames.From);
        set => SetOrRemove(SipHeaderNames.From, value?.ToString());
    }

    public SipAddress? To
    {
        get => Address(SipHeaderNames.To);
        set => SetOrRemove(SipHeaderNames.To, value?.ToString());
    }

    public string? CallId
    {
        get => Headers[SipHeaderNames.CallId];
        set => SetOrRemove(SipHeaderNames.CallId, value);
    }

    public SipCSeq? CSeq
    {
        get => Headers.First(SipHeaderNames.CSeq)?.GetTyped((v, line) => SipCSeq.Parse(v, "CSeq", line));
        set => SetOrRemove(SipHeaderNames.CSeq, value?.ToString());
    }

    public int? MaxForwards
    {
        get => Integer(SipHeaderNames.MaxForwards, 255);
        set => SetOrRemove(SipHeaderNames.MaxForwards, value?.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The Expires header in seconds, or null.</summary>
    public int? Expires
    {
        get => Integer(SipHeaderNames.Expires, int.MaxValue);
        set => SetOrRemove(SipHeaderNames.Expires, value?.ToString(CultureInfo.InvariantCulture));
    }

    public int? ContentLength => Integer(SipHeaderNames.ContentLength, int.MaxValue);

    public SipContentType? ContentType =>
        Headers.First(SipHeaderNames.ContentType)?.GetTyped((v, line) => SipContentType.Parse(v, "Content-Type", line));

    public IReadOnlyList<SipAddress> Contacts => AddressList(SipHeaderNames.Contact);

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
        List<SipAddress>? all = null;
        foreach (var h in Headers.All(name))
            (all ??= []).AddRange(h.GetTyped((v, line) => ParseAddresses(v, h.Key, line)));
        return all is null ? [] : all;
    }

    private static List<SipAddress> ParseAddresses(string value, string what, int line)
    {
        var s = new SipScanner(value, what, line);
        var list = new List<SipAddress>(1);
        do
        {
            list.Add(SipAddress.ParseOne(ref s));
            s.SkipWhitespace();
        }
        while (s.TryConsume(','));
        if (!s.AtEnd)
            throw s.Error($"unexpected '{s.Peek}'");
        return list;
    }

    private SipAddress? Address(string name) =>
        Headers.First(name)?.GetTyped((v, line) => SipAddress.Parse(v, name, line));

    private int? Integer(string name, int max)
    {
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
