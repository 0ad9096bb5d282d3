using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace Dialtone.Sip.Message;

/// <summary>
/// Parses one whole SIP message (as framed by a transport) from bytes into one buffer: the
/// message's bytes copied once, followed by an index of where each header lies. Nothing else is
/// allocated: header objects, names and values are made only when asked for, and the typed
/// properties parse straight from the bytes. Every failure is a <see cref="SipParseException"/>
/// naming the problem and its line/offset.
/// </summary>
public static class SipParser
{
    private static readonly int EntrySize = System.Runtime.CompilerServices.Unsafe.SizeOf<SipHeaderEntry>();

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
        return ParseCore(data, limits, readBody: true);
    }

    /// <summary>
    /// As <see cref="Parse"/>, returning false instead of throwing <see cref="SipParseException"/>
    /// (the reason is lost; use <see cref="Parse"/> to log it). Never throws for any input.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SipMessage? message, SipParserLimits? limits = null)
    {
        try
        {
            message = Parse(data, limits);
            return true;
        }
        catch (SipParseException)
        {
            message = null;
            return false;
        }
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
            return ParseCore(data, limits, readBody: false) as SipRequest;
        }
        catch (SipParseException)
        {
            return null;
        }
    }

    /// <summary>
    /// Parses a header block that has no start line (the headers of a multipart body part), whose
    /// bytes <paramref name="block"/> keeps alive.
    /// </summary>
    internal static SipHeaderCollection ParseHeaders(ReadOnlyMemory<byte> block, SipParserLimits limits)
    {
        var span = block.Span;
        if (!Utf8.IsValid(span))
            throw new SipParseException("the header section is not valid UTF-8", LineOfInvalidUtf8(span), -1);
        var entries = new SipHeaderEntry[SipHeaderBlock.MaxEntries(span, limits)];
        var count = SipHeaderBlock.Scan(span, limits, firstLineIsStartLine: false, entries, out _);
        var list = new List<SipHeader>(count);
        foreach (var e in entries.AsSpan(0, count))
            list.Add(new SipHeader(block.Slice(e.Start, e.Length), e.NameLength, e.ValueStart, SipHeaderBlock.KeyOf(e, span), e.Line));
        return new SipHeaderCollection(list);
    }

    /// <summary>Parses <paramref name="data"/>; without <paramref name="readBody"/>, only up to the end of its header section.</summary>
    private static SipMessage ParseCore(ReadOnlySpan<byte> data, SipParserLimits limits, bool readBody)
    {
        // One pass finds the end of the header section and its line ends for the scan, and tells
        // whether the section is all ASCII; when it declines, the exact scan reads the lines.
        Span<int> lineFeeds = stackalloc int[SipLineFinder.Capacity];
        var lines = SipLineFinder.Find(data, lineFeeds, out var ascii, out var end);
        if (lines < 0)
            end = data.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            // A message with only a start line ends at its first CRLF CRLF too, so this is truncation.
            throw new SipParseException("the header section does not end with an empty line (CRLF CRLF)", CountLines(data), -1);
        }
        var block = data[..(end + 2)];
        if ((lines < 0 || !ascii) && !Utf8.IsValid(block))
            throw new SipParseException("the header section is not valid UTF-8", LineOfInvalidUtf8(block), -1);

        // One buffer: the message bytes, then (8-byte aligned) the header index.
        var kept = readBody ? data.Length : end + 4;
        var indexOffset = (kept + 7) & ~7;
        var entriesOffset = SipHeaderIndex.EntriesOffset(indexOffset);
        var maxEntries = lines >= 0 ? Math.Min(lines, limits.MaxHeaderCount + 1) : SipHeaderBlock.MaxEntries(block, limits);
        var buffer = GC.AllocateUninitializedArray<byte>(entriesOffset + maxEntries * EntrySize);
        data[..kept].CopyTo(buffer);
        var entries = MemoryMarshal.Cast<byte, SipHeaderEntry>(buffer.AsSpan(entriesOffset, maxEntries * EntrySize));
        var count = SipHeaderBlock.Scan(block, limits, firstLineIsStartLine: true, entries, lineFeeds, lines, out var startLineLength);
        var index = new SipHeaderIndex(buffer, end + 4, indexOffset, count);

        var bodyLength = readBody ? BodyLength(index, data.Length - (end + 4)) : 0;
        var body = new ReadOnlyMemory<byte>(buffer, end + 4, bodyLength);
        return ParseStartLine(buffer.AsSpan(0, startLineLength), index, body);
    }

    private static int BodyLength(in SipHeaderIndex index, int available)
    {
        long? declared = null;
        for (var i = index.Find(SipHeaderId.ContentLength); i >= 0; i = index.Find(SipHeaderId.ContentLength, i + 1))
        {
            ref readonly var e = ref index.Entry(i);
            if (!index.TryReadNumber(i, out var n))
                throw new SipParseException($"Content-Length '{UriReference.Shorten(index.ValueString(i))}' is not a number", e.Line, e.NameLength + 1);
            if (declared is { } d && d != n)
                throw new SipParseException("Content-Length appears twice with different values", e.Line, 0);
            declared = n;
        }
        if (declared is null)
            return available; // framed by the transport (datagram); streams always carry Content-Length.
        if (declared > available)
            throw new SipParseException($"Content-Length is {declared} but only {available} body bytes follow");
        // RFC 3261 §18.3: bytes beyond Content-Length in a datagram are discarded.
        return (int)declared;
    }

    private static SipMessage ParseStartLine(ReadOnlySpan<byte> line, in SipHeaderIndex index, ReadOnlyMemory<byte> body)
    {
        if (line.Length >= 4 && line[0] is ((byte)'S' or (byte)'s') && Ascii.EqualsIgnoreCase(line[..4], "SIP/"u8))
            return ParseStatusLine(line, index, body);
        var sp1 = line.IndexOf((byte)' ');
        if (sp1 <= 0)
            throw new SipParseException("request line must be 'METHOD Request-URI SIP/2.0'", 1, 0);
        var method = line[..sp1];
        if (!SipHeaderBlock.IsToken(method))
            throw new SipParseException($"method '{UriReference.Shorten(Encoding.UTF8.GetString(method))}' is not a token", 1, 0);
        var sp2Rel = line[(sp1 + 1)..].IndexOf((byte)' ');
        var sp2 = sp2Rel < 0 ? -1 : sp1 + 1 + sp2Rel;
        if (sp2 < 0 || sp2 == sp1 + 1)
            throw new SipParseException("request line must be 'METHOD Request-URI SIP/2.0'", 1, sp1 + 1);
        var version = line[(sp2 + 1)..];
        if (!version.SequenceEqual("SIP/2.0"u8) && !Ascii.EqualsIgnoreCase(version, "SIP/2.0"u8)) // as written nearly always: no case folding
            throw new SipParseException($"unsupported SIP version '{UriReference.Shorten(Encoding.UTF8.GetString(version))}'", 1, CharOffset(line, sp2 + 1));
        var uriBytes = line[(sp1 + 1)..sp2];
        if (!IsPlainSipUri(uriBytes))
            ValidateRequestUri(line, sp1, uriBytes);
        return new SipRequest(SipMethods.Intern(method), index, sp1 + 1, uriBytes.Length, body);
    }

    /// <summary>The full Request-URI check (decoded to text), throwing with the offset in the start line.</summary>
    private static void ValidateRequestUri(ReadOnlySpan<byte> line, int sp1, ReadOnlySpan<byte> uriBytes)
    {
        try
        {
            SipHeaderText.Parse(uriBytes, "Request-URI", 1, static (text, what, l) =>
            {
                UriReference.Validate(text, what, l);
                return true;
            });
        }
        catch (SipParseException e)
        {
            throw new SipParseException(e.Reason, 1, CharOffset(line, sp1 + 1) + Math.Max(0, e.Offset));
        }
    }

    /// <summary>
    /// The common Request-URI shape, checked on the bytes: <c>sip:</c> or <c>sips:</c>, an optional
    /// userinfo without escapes, a host name or IPv4 address, an optional port and plain
    /// <c>;name[=value]</c> parameters. Everything this accepts <see cref="SipUri"/> accepts too;
    /// anything else (escapes, IPv6, URI headers, other schemes, errors) goes to the full check.
    /// </summary>
    internal static bool IsPlainSipUri(ReadOnlySpan<byte> uri)
    {
        int p;
        if (uri.StartsWith("sip:"u8) || (uri.Length > 4 && Ascii.EqualsIgnoreCase(uri[..4], "sip:"u8)))
            p = 4;
        else if (uri.Length > 5 && Ascii.EqualsIgnoreCase(uri[..5], "sips:"u8))
            p = 5;
        else
            return false;
        var at = uri[p..].IndexOf((byte)'@');
        if (at >= 0)
        {
            // userinfo: a non-empty user before any ':'.
            var userInfo = uri.Slice(p, at);
            if (userInfo.IsEmpty || userInfo[0] == ':' || SipBytes.RunLength(userInfo, SipBytes.QuickUserInfo) != userInfo.Length)
                return false;
            p += at + 1;
        }
        var host = SipBytes.RunLength(uri[p..], SipBytes.Host);
        if (host == 0)
            return false;
        p += host;
        if (p < uri.Length && uri[p] == ':')
        {
            var digits = 0;
            var port = 0;
            for (p++; p < uri.Length && (uint)(uri[p] - '0') <= 9 && digits < 6; p++, digits++)
                port = port * 10 + (uri[p] - '0');
            if (digits is 0 or > 5 || port > 65535)
                return false;
        }
        while (p < uri.Length)
        {
            if (uri[p] != ';')
                return false;
            var name = SipBytes.RunLength(uri[++p..], SipBytes.QuickUriParam);
            if (name == 0)
                return false;
            p += name;
            if (p < uri.Length && uri[p] == '=')
            {
                var value = SipBytes.RunLength(uri[++p..], SipBytes.QuickUriParam);
                if (value == 0)
                    return false;
                p += value;
            }
        }
        return true;
    }

    private static SipResponse ParseStatusLine(ReadOnlySpan<byte> bytes, in SipHeaderIndex index, ReadOnlyMemory<byte> body)
    {
        // SIP-Version SP Status-Code SP Reason-Phrase
        var line = Encoding.UTF8.GetString(bytes);
        if (line.Length < 11 || !line.AsSpan(0, 7).Equals(SipMessage.SipVersion, StringComparison.OrdinalIgnoreCase) || line[7] != ' ')
            throw new SipParseException("status line must start with 'SIP/2.0 '", 1, 0);
        var code = line.AsSpan(8, 3);
        if (!int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status is < 100 or > 699)
            throw new SipParseException($"status code '{code}' is not a number from 100 to 699", 1, 8);
        if (line.Length > 11 && line[11] != ' ')
            throw new SipParseException("status code must be three digits followed by a space", 1, 11);
        var reason = line.Length > 12 ? line[12..] : string.Empty;
        return new SipResponse(status, reason, index, body) { RawStatusLine = line };
    }

    private static int CharOffset(ReadOnlySpan<byte> line, int byteOffset) => Encoding.UTF8.GetCharCount(line[..byteOffset]);

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
}
