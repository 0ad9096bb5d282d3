using System.Runtime.InteropServices;

namespace Dialtone.Sip.Message;

/// <summary>
/// A parsed message's headers as offsets into its one buffer: the bytes of the message, then
/// (8-byte aligned) a table of the first entry of each <see cref="SipHeaderId"/>, then the
/// <see cref="SipHeaderEntry"/> array. Reads values without making header objects.
/// </summary>
internal readonly struct SipHeaderIndex
{
    /// <summary>Bytes of the first-entry table that precedes the entries (one int per id, 0 = none, else index + 1).</summary>
    public const int FirstsBytes = FirstsCount * sizeof(int);

    /// <summary>Room for every <see cref="SipHeaderId"/> (a test holds the enum to it).</summary>
    public const int FirstsCount = 16;

    private readonly int _indexOffset;

    /// <summary>
    /// Wraps <paramref name="buffer"/>, whose <paramref name="count"/> entries are already written
    /// at <paramref name="indexOffset"/> + <see cref="FirstsBytes"/>, and fills in the first-entry table.
    /// </summary>
    public SipHeaderIndex(byte[] buffer, int bodyStart, int indexOffset, int count)
    {
        Buffer = buffer;
        BodyStart = bodyStart;
        Count = count;
        _indexOffset = indexOffset;
        var firsts = Firsts(buffer, indexOffset);
        firsts.Clear();
        var entries = Entries;
        for (var i = entries.Length - 1; i >= 0; i--)
            firsts[(int)entries[i].Id] = i + 1;
    }

    public byte[] Buffer { get; }

    /// <summary>Offset just past the CRLF CRLF that ends the header section.</summary>
    public int BodyStart { get; }

    public int Count { get; }

    /// <summary>Where the entries start in a buffer whose index starts at <paramref name="indexOffset"/>.</summary>
    public static int EntriesOffset(int indexOffset) => indexOffset + FirstsBytes;

    private static Span<int> Firsts(byte[] buffer, int indexOffset) =>
        MemoryMarshal.Cast<byte, int>(buffer.AsSpan(indexOffset, FirstsBytes));

    private ReadOnlySpan<SipHeaderEntry> Entries =>
        MemoryMarshal.Cast<byte, SipHeaderEntry>(Buffer.AsSpan(EntriesOffset(_indexOffset), Count * System.Runtime.CompilerServices.Unsafe.SizeOf<SipHeaderEntry>()));

    public ref readonly SipHeaderEntry Entry(int i) => ref Entries[i];

    /// <summary>The first entry with this id, or -1 (one table read).</summary>
    public int Find(SipHeaderId id) => Firsts(Buffer, _indexOffset)[(int)id] - 1;

    /// <summary>The first entry at or after <paramref name="from"/> with this id, or -1.</summary>
    public int Find(SipHeaderId id, int from)
    {
        var entries = Entries;
        for (var i = from; i < entries.Length; i++)
        {
            if (entries[i].Id == id)
                return i;
        }
        return -1;
    }

    public ReadOnlySpan<byte> RawValue(int i)
    {
        ref readonly var e = ref Entry(i);
        return Buffer.AsSpan(e.Start + e.ValueStart, e.Length - e.ValueStart);
    }

    public T Parse<T>(int i, string what, SipHeaderText.SpanParser<T> parse) => SipHeaderText.Parse(RawValue(i), what, Entry(i).Line, parse);

    public string ValueString(int i) => SipHeaderText.ValueString(RawValue(i));

    /// <summary>Reads a value of 1 to 10 decimal digits (surrounding whitespace allowed).</summary>
    public bool TryReadNumber(int i, out long value)
    {
        // One loop over the few bytes (Content-Length on every parse): no Trim call.
        var raw = RawValue(i);
        var p = SipLexer.SkipWhitespace(raw, 0, lineBreaks: true);
        var start = p;
        value = 0;
        for (; p < raw.Length && (uint)(raw[p] - '0') <= 9 && p - start < 11; p++)
            value = value * 10 + (raw[p] - '0');
        return p - start is >= 1 and <= 10 && SipLexer.SkipWhitespace(raw, p, lineBreaks: true) == raw.Length;
    }

    /// <summary>The header objects, for code that reads or edits <see cref="SipMessage.Headers"/>.</summary>
    public List<SipHeader> Materialize(Func<SipHeaderId, int, (object? Typed, string? Value)> cached)
    {
        var list = new List<SipHeader>(Count + 4);
        var entries = Entries;
        for (var i = 0; i < entries.Length; i++)
        {
            ref readonly var e = ref entries[i];
            var (typed, value) = e.Id == SipHeaderId.Other ? default : cached(e.Id, i);
            list.Add(new SipHeader(new ReadOnlyMemory<byte>(Buffer, e.Start, e.Length), e.NameLength, e.ValueStart,
                SipHeaderBlock.KeyOf(e, Buffer), e.Line, typed, value));
        }
        return list;
    }
}
