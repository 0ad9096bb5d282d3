using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;

namespace Dialtone.Sip.Message;

/// <summary>The headers a message's typed properties read, recognized once while the block is scanned.</summary>
internal enum SipHeaderId
{
    Other = 0,
    Via,
    From,
    To,
    CallId,
    CSeq,
    Contact,
    ContentLength,
    ContentType,
    MaxForwards,
    Expires,
    Route,
    RecordRoute,
}

/// <summary>
/// Where one header line lies in a message's bytes (offsets, no text): the index a parsed message
/// keeps instead of header objects. Plain ints so the index can live in the message's one buffer.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SipHeaderEntry
{
    /// <summary>Offset of the header's first byte.</summary>
    public int Start;

    /// <summary>Bytes of the header with its folded lines, without the final CRLF.</summary>
    public int Length;

    /// <summary>Bytes of the name as written, trailing whitespace excluded.</summary>
    public int NameLength;

    /// <summary>Offset of the value (just after ':') from <see cref="Start"/>.</summary>
    public int ValueStart;

    /// <summary>1-based line of the message.</summary>
    public int Line;

    public SipHeaderId Id;
}

/// <summary>
/// Scans a header block (CRLF-terminated lines, as bytes) into <see cref="SipHeaderEntry"/>
/// offsets, enforcing the syntax rules and limits and reporting each failure as a
/// <see cref="SipParseException"/> with its line and character offset. No text is decoded here.
/// </summary>
internal static class SipHeaderBlock
{
    private static readonly SearchValues<byte> ForbiddenControls = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000b\u000c\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\u007f"u8);

    public static bool IsToken(ReadOnlySpan<byte> s) => SipBytes.IsAll(s, SipBytes.Token);

    public static bool IsTokenByte(byte b) => SipBytes.Is(b, SipBytes.Token);

    /// <summary>An upper bound of the entries <paramref name="block"/> can produce.</summary>
    public static int MaxEntries(ReadOnlySpan<byte> block, SipParserLimits limits) =>
        Math.Min(block.Count((byte)'\n'), limits.MaxHeaderCount + 1);

    /// <summary>
    /// Scans <paramref name="block"/> (every line ending in CRLF; no empty line) into
    /// <paramref name="entries"/> and returns how many were written. With
    /// <paramref name="firstLineIsStartLine"/> the first line is skipped and its length returned in
    /// <paramref name="startLineLength"/>. Offsets in the entries are relative to <paramref name="block"/>.
    /// </summary>
    public static int Scan(ReadOnlySpan<byte> block, SipParserLimits limits, bool firstLineIsStartLine, Span<SipHeaderEntry> entries, out int startLineLength)
    {
        var count = TryScanQuick(block, limits, firstLineIsStartLine, entries, out startLineLength);
        return count >= 0 ? count : ScanExact(block, limits, firstLineIsStartLine, entries, out startLineLength);
    }

    /// <summary>
    /// As <see cref="Scan(ReadOnlySpan{byte}, SipParserLimits, bool, Span{SipHeaderEntry}, out int)"/>
    /// with the line ends <see cref="SipLineFinder.Find"/> already found (<paramref name="lines"/> -1 when it declined).
    /// </summary>
    public static int Scan(ReadOnlySpan<byte> block, SipParserLimits limits, bool firstLineIsStartLine, Span<SipHeaderEntry> entries,
        ReadOnlySpan<int> lineFeeds, int lines, out int startLineLength)
    {
        var count = TryScanQuick(block, limits, firstLineIsStartLine, entries, lineFeeds, lines, out startLineLength);
        return count >= 0 ? count : ScanExact(block, limits, firstLineIsStartLine, entries, out startLineLength);
    }

    /// <summary>The quick scan of a block cut before its empty line, finding the line ends itself.</summary>
    internal static int TryScanQuick(ReadOnlySpan<byte> block, SipParserLimits limits, bool firstLineIsStartLine, Span<SipHeaderEntry> entries, out int startLineLength)
    {
        Span<int> lineFeeds = stackalloc int[SipLineFinder.Capacity];
        var lines = SipLineFinder.Find(block, lineFeeds, out _, out var end);
        return TryScanQuick(block, limits, firstLineIsStartLine, entries, lineFeeds, end < 0 ? lines : -1, out startLineLength);
    }

    /// <summary>
    /// The common case: one vectorized pass over the block finds every line end and proves there
    /// is no control character and no CR or LF outside a CRLF; then one short loop per line reads
    /// the name (byte-class table) and recognizes it. Returns -1 on anything else — an error or a
    /// rarer accepted form (an escaped control in a quoted string, more lines than the stack table)
    /// — and <see cref="ScanExact"/> then reads the block again, throwing the precise error. When
    /// this succeeds it writes exactly what <see cref="ScanExact"/> would.
    /// </summary>
    private static int TryScanQuick(ReadOnlySpan<byte> block, SipParserLimits limits, bool firstLineIsStartLine, Span<SipHeaderEntry> entries,
        ReadOnlySpan<int> lineFeeds, int lines, out int startLineLength)
    {
        startLineLength = 0;
        if (lines < 0 || (lines == 0 ? !block.IsEmpty : lineFeeds[lines - 1] != block.Length - 1))
            return -1; // also: the last line does not end in CRLF
        int maxLine = limits.MaxHeaderLineBytes, maxCount = limits.MaxHeaderCount;
        int count = 0, pos = 0;
        var open = false; // entries[count] is the header being read (it may continue on folded lines)
        for (var line = 1; line <= lines; line++)
        {
            var lineEnd = lineFeeds[line - 1] - 1; // the CR (SipLineFinder proved it)
            if (line == 1 && firstLineIsStartLine)
            {
                if (lineEnd - pos > maxLine)
                    return -1;
                startLineLength = lineEnd - pos;
            }
            else if (block[pos] is (byte)' ' or (byte)'\t')
            {
                if (!open)
                    return -1;
            }
            else
            {
                if (open)
                {
                    entries[count].Length = pos - 2 - entries[count].Start;
                    count++;
                }
                if (count >= maxCount)
                    return -1;
                // The line ends in CR, which is neither a token byte nor whitespace: the runs stop there.
                var nameEnd = pos + SipBytes.RunLength(block[pos..], SipBytes.Token);
                var p = nameEnd;
                while (block[p] is (byte)' ' or (byte)'\t')
                    p++;
                if (nameEnd == pos || block[p] != ':')
                    return -1;
                ref var e = ref entries[count];
                e.Start = pos;
                e.Line = line;
                e.NameLength = nameEnd - pos;
                e.ValueStart = p + 1 - pos;
                e.Id = Identify(block.Slice(pos, nameEnd - pos));
                open = true;
            }
            if (open && lineEnd - entries[count].Start > maxLine)
                return -1;
            pos = lineEnd + 2;
        }
        if (open)
        {
            entries[count].Length = pos - 2 - entries[count].Start;
            count++;
        }
        return count;
    }

    /// <summary>The scan with every check in order, for input <see cref="TryScanQuick"/> declined.</summary>
    internal static int ScanExact(ReadOnlySpan<byte> block, SipParserLimits limits, bool firstLineIsStartLine, Span<SipHeaderEntry> entries, out int startLineLength)
    {
        CheckControls(block);
        startLineLength = 0;
        var count = 0;
        var pos = 0;
        var line = 0;
        var open = false; // entries[count] is the header being read (it may continue on folded lines)
        while (pos < block.Length)
        {
            line++;
            var lineEnd = IndexOfCrlf(block, pos, line);
            var lineLength = lineEnd - pos;
            if (line == 1 && firstLineIsStartLine)
            {
                if (lineLength > limits.MaxHeaderLineBytes)
                    throw new SipParseException($"start line is longer than {limits.MaxHeaderLineBytes} characters", line, limits.MaxHeaderLineBytes);
                startLineLength = lineLength;
            }
            else if (lineLength > 0 && block[pos] is (byte)' ' or (byte)'\t')
            {
                if (!open)
                    throw new SipParseException("continuation line without a header to continue", line, 0);
            }
            else
            {
                if (open)
                {
                    entries[count].Length = pos - 2 - entries[count].Start;
                    count++;
                    open = false;
                }
                if (count >= limits.MaxHeaderCount)
                    throw new SipParseException($"more than {limits.MaxHeaderCount} header lines", line, 0);
                var colon = block.Slice(pos, lineLength).IndexOf((byte)':');
                if (colon < 0)
                    throw new SipParseException("header line has no ':'", line, 0);
                var name = block.Slice(pos, colon).TrimEnd(" \t"u8);
                if (name.IsEmpty)
                    throw new SipParseException("header line has an empty name", line, 0);
                if (!IsToken(name))
                    throw new SipParseException($"header name '{UriReference.Shorten(Encoding.UTF8.GetString(name))}' has a character that is not allowed", line, 0);
                ref var e = ref entries[count];
                e.Start = pos;
                e.Line = line;
                e.NameLength = name.Length;
                e.ValueStart = colon + 1;
                e.Id = Identify(name);
                open = true;
            }
            if (open && lineEnd - entries[count].Start > limits.MaxHeaderLineBytes)
                throw new SipParseException($"header is longer than {limits.MaxHeaderLineBytes} characters", entries[count].Line, 0);
            pos = lineEnd + 2;
        }
        if (open)
        {
            entries[count].Length = pos - 2 - entries[count].Start;
            count++;
        }
        return count;
    }

    /// <summary>
    /// Recognizes the names the typed properties read, long or compact, in any case: by length and
    /// first letter, then one comparison of at most two machine words (no string is made).
    /// <paramref name="name"/> must be a token (the scans check that first).
    /// </summary>
    public static SipHeaderId Identify(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty)
            return SipHeaderId.Other;
        var first = name[0] | 0x20;
        return name.Length switch
        {
            1 => first switch
            {
                'v' => SipHeaderId.Via,
                'f' => SipHeaderId.From,
                't' => SipHeaderId.To,
                'i' => SipHeaderId.CallId,
                'm' => SipHeaderId.Contact,
                'l' => SipHeaderId.ContentLength,
                'c' => SipHeaderId.ContentType,
                _ => SipHeaderId.Other,
            },
            2 when first == 't' => Is(name, "to"u8, SipHeaderId.To),
            3 when first == 'v' => Is(name, "via"u8, SipHeaderId.Via),
            4 when first == 'f' => Is(name, "from"u8, SipHeaderId.From),
            4 when first == 'c' => Is(name, "cseq"u8, SipHeaderId.CSeq),
            5 when first == 'r' => Is(name, "route"u8, SipHeaderId.Route),
            7 when first == 'c' => (name[1] | 0x20) == 'a' ? Is(name, "call-id"u8, SipHeaderId.CallId) : Is(name, "contact"u8, SipHeaderId.Contact),
            7 when first == 'e' => Is(name, "expires"u8, SipHeaderId.Expires),
            12 when first == 'c' => Is(name, "content-type"u8, SipHeaderId.ContentType),
            12 when first == 'm' => Is(name, "max-forwards"u8, SipHeaderId.MaxForwards),
            12 when first == 'r' => Is(name, "record-route"u8, SipHeaderId.RecordRoute),
            14 when first == 'c' => Is(name, "content-length"u8, SipHeaderId.ContentLength),
            _ => SipHeaderId.Other,
        };

        static SipHeaderId Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> lower, SipHeaderId id) =>
            SipBytes.EqualsLowerCase(name, lower) ? id : SipHeaderId.Other;
    }

    /// <summary>The canonical name (<see cref="SipHeaderNames"/> constant) of a recognized header.</summary>
    public static string KeyOf(SipHeaderId id) => id switch
    {
        SipHeaderId.Via => SipHeaderNames.Via,
        SipHeaderId.From => SipHeaderNames.From,
        SipHeaderId.To => SipHeaderNames.To,
        SipHeaderId.CallId => SipHeaderNames.CallId,
        SipHeaderId.CSeq => SipHeaderNames.CSeq,
        SipHeaderId.Contact => SipHeaderNames.Contact,
        SipHeaderId.ContentLength => SipHeaderNames.ContentLength,
        SipHeaderId.ContentType => SipHeaderNames.ContentType,
        SipHeaderId.MaxForwards => SipHeaderNames.MaxForwards,
        SipHeaderId.Expires => SipHeaderNames.Expires,
        SipHeaderId.Route => SipHeaderNames.Route,
        SipHeaderId.RecordRoute => SipHeaderNames.RecordRoute,
        _ => throw new ArgumentOutOfRangeException(nameof(id)),
    };

    /// <summary>The canonical name of the header at <paramref name="entry"/> in <paramref name="block"/>.</summary>
    public static string KeyOf(in SipHeaderEntry entry, ReadOnlySpan<byte> block)
    {
        if (entry.Id != SipHeaderId.Other)
            return KeyOf(entry.Id);
        var name = block.Slice(entry.Start, entry.NameLength);
        Span<char> chars = stackalloc char[Math.Min(name.Length, 256)];
        if (name.Length > chars.Length)
            return SipHeaderNames.Canonical(Encoding.ASCII.GetString(name));
        var n = Encoding.ASCII.GetChars(name, chars); // a token is ASCII
        return SipHeaderNames.Canonical(chars[..n]);
    }

    /// <summary>
    /// Control characters are refused in a header section except inside a quoted string as the
    /// second half of a quoted-pair (RFC 3261 §25.1: "\" followed by %x00-09 / %x0B-0C / %x0E-7F).
    /// </summary>
    private static void CheckControls(ReadOnlySpan<byte> block)
    {
        var at = block.IndexOfAny(ForbiddenControls);
        if (at < 0)
            return;
        at = SipSyntax.IndexOfBareControl(block, ForbiddenControls);
        if (at < 0)
            return;
        var (line, offset) = Position(block, at);
        throw new SipParseException($"control character 0x{block[at]:X2} in the header section", line, offset);
    }

    private static int IndexOfCrlf(ReadOnlySpan<byte> block, int from, int line)
    {
        var span = block[from..];
        var i = span.IndexOfAny((byte)'\r', (byte)'\n');
        if (i < 0)
            throw new SipParseException("line does not end with CRLF", line, CharCount(span));
        if (span[i] == '\n' || i + 1 >= span.Length || span[i + 1] != '\n')
            throw new SipParseException("bare CR or LF inside a line (lines must end with CRLF)", line, CharCount(span[..i]));
        return from + i;
    }

    /// <summary>1-based line and 0-based character offset of byte <paramref name="index"/>.</summary>
    public static (int Line, int Offset) Position(ReadOnlySpan<byte> text, int index)
    {
        var before = text[..index];
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        return (before.Count((byte)'\n') + 1, CharCount(before[lineStart..]));
    }

    private static int CharCount(ReadOnlySpan<byte> utf8) => Encoding.UTF8.GetCharCount(utf8);
}
