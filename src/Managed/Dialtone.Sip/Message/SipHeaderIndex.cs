using System.Runtime.InteropServices;

namespace Dialtone.Sip.Message;

/// <summary>
/// A parsed message's headers as offsets into its one buffer (bytes of the message, then the
/// <see cref="SipHeaderEntry"/> array). Reads values without making header objects.
/// </summary>
internal readonly struct SipHeaderIndex(byte[] buffer, int bodyStart, int entriesOffset, int count)
{
    public byte[] Buffer { get; } = buffer;

    /// <summary>Offset just past the CRLF CRLF that ends the header section.</summary>
    public int BodyStart { get; } = bodyStart;

    public int Count { get; } = count;

    private ReadOnlySpan<SipHeaderEntry> Entries =>
        MemoryMarshal.Cast<byte, SipHeaderEntry>(Buffer.AsSpan(entriesOffset, Count * System.Runtime.CompilerServices.Unsafe.SizeOf<SipHeaderEntry>()));

    public ref readonly SipHeaderEntry Entry(int i) => ref Entries[i];

    /// <summary>The first entry at or after <paramref name="from"/> with this id, or -1.</summary>
    public int Find(SipHeaderId id, int from = 0)
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
        var digits = RawValue(i).Trim(" \t\r\n"u8);
        value = 0;
        if (digits.Length is 0 or > 10)
            return false;
        foreach (var b in digits)
        {
            if ((uint)(b - '0') > 9)
                return false;
            value = value * 10 + (b - '0');
        }
        return true;
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
