namespace Dialtone.Sip.Message;

/// <summary>One part of a multipart body: its own headers and bytes.</summary>
public sealed class SipBodyPart(SipHeaderCollection headers, ReadOnlyMemory<byte> body)
{
    public SipHeaderCollection Headers { get; } = headers;

    public ReadOnlyMemory<byte> Body { get; } = body;

    public SipContentType? ContentType =>
        Headers.First(SipHeaderNames.ContentType) is { } h ? h.GetTyped((v, line) => SipContentType.Parse(v, "Content-Type", line)) : null;
}

/// <summary>Reads multipart bodies (RFC 2046 §5.1, e.g. multipart/mixed with SDP and ISUP).</summary>
internal static class SipMultipartReader
{
    public static IReadOnlyList<SipBodyPart> Read(ReadOnlyMemory<byte> body, string boundary)
    {
        if (boundary.Length > 70)
            throw new SipParseException("multipart boundary is longer than 70 characters");
        var delimiter = System.Text.Encoding.ASCII.GetBytes("--" + boundary);
        var span = body.Span;
        var parts = new List<SipBodyPart>();
        var first = IndexOfDelimiter(span, delimiter, 0);
        if (first < 0)
            throw new SipParseException("multipart body has no boundary line");
        var pos = first + delimiter.Length;
        while (true)
        {
            if (span.Length - pos >= 2 && span[pos] == '-' && span[pos + 1] == '-')
                return parts; // close-delimiter
            pos = SkipLineEnd(span, pos);
            var next = IndexOfDelimiter(span, delimiter, pos);
            if (next < 0)
                throw new SipParseException("multipart body ends without a closing boundary");
            // The CRLF before the delimiter belongs to the delimiter.
            var partEnd = next >= 2 && span[next - 2] == '\r' && span[next - 1] == '\n' ? next - 2 : next;
            parts.Add(ReadPart(body[pos..Math.Max(pos, partEnd)]));
            pos = next + delimiter.Length;
        }
    }

    private static SipBodyPart ReadPart(ReadOnlyMemory<byte> part)
    {
        var span = part.Span;
        if (span.StartsWith("\r\n"u8))
            return new SipBodyPart(new SipHeaderCollection(), part[2..]); // no part headers
        var end = span.IndexOf("\r\n\r\n"u8);
        if (end < 0)
            throw new SipParseException("multipart part headers do not end with an empty line");
        if (!System.Text.Unicode.Utf8.IsValid(span[..(end + 2)]))
            throw new SipParseException("multipart part headers are not valid UTF-8");
        var headers = SipParser.ParseHeaders(part[..(end + 2)], SipParserLimits.Default);
        return new SipBodyPart(headers, part[(end + 4)..]);
    }

    private static int IndexOfDelimiter(ReadOnlySpan<byte> span, byte[] delimiter, int from)
    {
        while (from <= span.Length)
        {
            var i = span[from..].IndexOf(delimiter);
            if (i < 0)
                return -1;
            var at = from + i;
            // A delimiter must start a line.
            if (at == 0 || (at >= 2 && span[at - 2] == '\r' && span[at - 1] == '\n'))
                return at;
            from = at + 1;
        }
        return -1;
    }

    private static int SkipLineEnd(ReadOnlySpan<byte> span, int pos)
    {
        // Transport padding (spaces) may follow the boundary before CRLF.
        while (pos < span.Length && span[pos] is (byte)' ' or (byte)'\t')
            pos++;
        if (span.Length - pos >= 2 && span[pos] == '\r' && span[pos + 1] == '\n')
            return pos + 2;
        throw new SipParseException("multipart boundary line does not end with CRLF");
    }
}
