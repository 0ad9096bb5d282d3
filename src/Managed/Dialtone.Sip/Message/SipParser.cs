using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Dialtone.Sip.Message;

/// <summary>
/// Parses one whole SIP message (as framed by a transport) from bytes. The header section is
/// decoded once into a single string that the headers slice; the body is copied once. Every
/// failure is a <see cref="SipParseException"/> naming the problem and its line/offset.
/// </summary>
public static class SipParser
{
    private static readonly SearchValues<char> ForbiddenControls = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000b\u000c\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\u007f");

    public static SipMessage Parse(ReadOnlySpan<byte> data, SipParserLimits? limits = null)
    {
        limits ??= SipParserLimits.Default;
        if (data.Length > limits.MaxMessageBytes)
            throw new SipParseException($"message is {data.Length} bytes, over the limit of {limits.MaxMessageBytes}");
        // RFC 3261 §7.5: ignore CRLFs before the start line.
        var skipped = 0;
        while (data.Length - skipped >= 2 && data[skipped] == '\r' && data[skipped + 1] == '\n')
            skipped += 2;
        data = data[skipped..];
        if (data.IsEmpty)
            throw new SipParseException("empty message", 1, 0);

        var end = data.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            // A message with only a start line ends at its first CRLF CRLF too, so this is truncation.
            throw new SipParseException("the header section does not end with an empty line (CRLF CRLF)", CountLines(data), -1);
        }
        var headerBytes = data[..(end + 2)];
        if (!Utf8.IsValid(headerBytes))
            throw new SipParseException("the header section is not valid UTF-8", LineOfInvalidUtf8(headerBytes), -1);
        var text = Encoding.UTF8.GetString(headerBytes);

        var (startLine, headers) = ParseHeaderBlock(text, limits, firstLineIsStartLine: true);
        var body = ReadBody(data[(end + 4)..], headers);
        return ParseStartLine(startLine, headers, body);
    }

    /// <summary>
    /// Best-effort parse of only the start line and headers of a message that failed to parse,
    /// so the stack can still answer a broken request with 400. Returns null when even that fails.
    /// </summary>
    internal static SipRequest? TryParseRequestHead(ReadOnlySpan<byte> data, SipParserLimits limits)
    {
        try
        {
            if (data.Length > limits.MaxMessageBytes)
                data = data[..limits.MaxMessageBytes];
            var end = data.IndexOf("\r\n\r\n"u8);
            if (end < 0 || !Utf8.IsValid(data[..(end + 2)]))
                return null;
            var (startLine, headers) = ParseHeaderBlock(Encoding.UTF8.GetString(data[..(end + 2)]), limits, firstLineIsStartLine: true);
            return ParseStartLine(startLine, headers, ReadOnlyMemory<byte>.Empty) as SipRequest;
        }
        catch (SipParseException)
        {
            return null;
        }
    }

    /// <summary>
    /// Splits header text (each line ending in CRLF) into the optional start line and header
    /// lines, joining folded continuation lines to their header.
    /// </summary>
    internal static (string StartLine, SipHeaderCollection Headers) ParseHeaderBlock(string text, SipParserLimits limits, bool firstLineIsStartLine)
    {
        var controlAt = text.AsSpan().IndexOfAny(ForbiddenControls);
        if (controlAt >= 0)
        {
            var (l, o) = Position(text, controlAt);
            throw new SipParseException($"control character 0x{(int)text[controlAt]:X2} in the header section", l, o);
        }
        var startLine = string.Empty;
        var list = new List<SipHeader>(24);
        var pos = 0;
        var line = 0;
        int headerStart = -1, headerLine = 0, nameLength = 0, valueStart = 0;
        string? key = null;

        while (pos < text.Length)
        {
            line++;
            var lineEnd = IndexOfCrlf(text, pos, line);
            var lineLength = lineEnd - pos;
            if (line == 1 && firstLineIsStartLine)
            {
                if (lineLength > limits.MaxHeaderLineBytes)
                    throw new SipParseException($"start line is longer than {limits.MaxHeaderLineBytes} characters", line, limits.MaxHeaderLineBytes);
                startLine = text[pos..lineEnd];
            }
            else if (lineLength > 0 && text[pos] is ' ' or '\t')
            {
                if (headerStart < 0)
                    throw new SipParseException("continuation line without a header to continue", line, 0);
            }
            else
            {
                if (headerStart >= 0)
                    list.Add(new SipHeader(text.AsMemory(headerStart, pos - 2 - headerStart), nameLength, valueStart, key!, headerLine));
                if (list.Count >= limits.MaxHeaderCount)
                    throw new SipParseException($"more than {limits.MaxHeaderCount} header lines", line, 0);
                var colon = text.IndexOf(':', pos, lineLength);
                if (colon < 0)
                    throw new SipParseException("header line has no ':'", line, 0);
                var name = text.AsSpan(pos, colon - pos).TrimEnd(" \t");
                if (name.IsEmpty)
                    throw new SipParseException("header line has an empty name", line, 0);
                if (!SipSyntax.IsToken(name))
                    throw new SipParseException($"header name '{UriReference.Shorten(name)}' has a character that is not allowed", line, 0);
                headerStart = pos;
                headerLine = line;
                nameLength = name.Length;
                valueStart = colon + 1 - pos;
                key = SipHeaderNames.Canonical(name);
            }
            if (headerStart >= 0 && lineEnd - headerStart > limits.MaxHeaderLineBytes)
                throw new SipParseException($"header is longer than {limits.MaxHeaderLineBytes} characters", headerLine, 0);
            pos = lineEnd + 2;
        }
        if (headerStart >= 0)
            list.Add(new SipHeader(text.AsMemory(headerStart, pos - 2 - headerStart), nameLength, valueStart, key!, headerLine));
        return (startLine, new SipHeaderCollection(list));
    }

    private static int IndexOfCrlf(string text, int from, int line)
    {
        var span = text.AsSpan(from);
        var i = span.IndexOfAny('\r', '\n');
        if (i < 0)
            throw new SipParseException("line does not end with CRLF", line, span.Length);
        if (span[i] == '\n' || i + 1 >= span.Length || span[i + 1] != '\n')
            throw new SipParseException("bare CR or LF inside a line (lines must end with CRLF)", line, i);
        return from + i;
    }

    private static ReadOnlyMemory<byte> ReadBody(ReadOnlySpan<byte> rest, SipHeaderCollection headers)
    {
        long? declared = null;
        foreach (var h in headers.All(SipHeaderNames.ContentLength))
        {
            var v = h.Value;
            if (v.Length is 0 or > 10 || !long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                throw new SipParseException($"Content-Length '{UriReference.Shorten(v)}' is not a number", h.Line, h.Name.Length + 1);
            if (declared is { } d && d != n)
                throw new SipParseException("Content-Length appears twice with different values", h.Line, 0);
            declared = n;
        }
        if (declared is null)
            return rest.ToArray(); // framed by the transport (datagram); streams always carry Content-Length.
        if (declared > rest.Length)
            throw new SipParseException($"Content-Length is {declared} but only {rest.Length} body bytes follow");
        // RFC 3261 §18.3: bytes beyond Content-Length in a datagram are discarded.
        return rest[..(int)declared].ToArray();
    }

    private static SipMessage ParseStartLine(string startLine, SipHeaderCollection headers, ReadOnlyMemory<byte> body)
    {
        if (startLine.StartsWith("SIP/", StringComparison.OrdinalIgnoreCase))
            return ParseStatusLine(startLine, headers, body);
        var sp1 = startLine.IndexOf(' ');
        if (sp1 <= 0)
            throw new SipParseException("request line must be 'METHOD Request-URI SIP/2.0'", 1, 0);
        var method = startLine.AsSpan(0, sp1);
        if (!SipSyntax.IsToken(method))
            throw new SipParseException($"method '{UriReference.Shorten(method)}' is not a token", 1, 0);
        var sp2 = startLine.IndexOf(' ', sp1 + 1);
        if (sp2 < 0 || sp2 == sp1 + 1)
            throw new SipParseException("request line must be 'METHOD Request-URI SIP/2.0'", 1, sp1 + 1);
        var version = startLine.AsSpan(sp2 + 1);
        if (!version.Equals(SipMessage.SipVersion, StringComparison.OrdinalIgnoreCase))
            throw new SipParseException($"unsupported SIP version '{UriReference.Shorten(version)}'", 1, sp2 + 1);
        var uriText = startLine[(sp1 + 1)..sp2];
        UriReference uri;
        try
        {
            uri = UriReference.Parse(uriText, "Request-URI", 1);
        }
        catch (SipParseException e)
        {
            throw new SipParseException(e.Reason, 1, sp1 + 1 + Math.Max(0, e.Offset));
        }
        return new SipRequest(SipMethods.Intern(method), uri, uriText, headers, body);
    }

    private static SipResponse ParseStatusLine(string line, SipHeaderCollection headers, ReadOnlyMemory<byte> body)
    {
        // SIP-Version SP Status-Code SP Reason-Phrase
        if (line.Length < 11 || !line.AsSpan(0, 7).Equals(SipMessage.SipVersion, StringComparison.OrdinalIgnoreCase) || line[7] != ' ')
            throw new SipParseException("status line must start with 'SIP/2.0 '", 1, 0);
        var code = line.AsSpan(8, 3);
        if (!int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status is < 100 or > 699)
            throw new SipParseException($"status code '{code}' is not a number from 100 to 699", 1, 8);
        if (line.Length > 11 && line[11] != ' ')
            throw new SipParseException("status code must be three digits followed by a space", 1, 11);
        var reason = line.Length > 12 ? line[12..] : string.Empty;
        return new SipResponse(status, reason, headers, body) { RawStatusLine = line };
    }

    private static int CountLines(ReadOnlySpan<byte> data) => data.Count((byte)'\n') + 1;

    private static int LineOfInvalidUtf8(ReadOnlySpan<byte> data)
    {
        var chars = ArrayPool<char>.Shared.Rent(data.Length);
        try
        {
            Utf8.ToUtf16(data, chars, out var validBytes, out _, replaceInvalidSequences: false);
            return CountLines(data[..validBytes]);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static (int Line, int Offset) Position(string text, int index)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < index; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        return (line, index - lineStart);
    }
}
