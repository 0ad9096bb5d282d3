using Dialtone.Sip.Message;

namespace Dialtone.Sip.Tests.Message;

/// <summary>
/// <see cref="SipBytes.RunLength"/> reads 16 bytes at a time through nibble tables derived from
/// <see cref="SipBytes.Classes"/>: it must stop exactly where a byte-by-byte read of the table does,
/// for every class the parsers use, every stop byte, and every run length around the vector widths.
/// </summary>
public sealed class SipBytesTests
{
    public static TheoryData<byte> Classes => new()
    {
        SipBytes.Token, SipBytes.Host, SipBytes.QuickUserInfo, SipBytes.QuickUriParam, SipBytes.Whitespace,
        SipBytes.TokenOrColon, (byte)(SipBytes.Token | SipBytes.Whitespace),
    };

    [Theory]
    [MemberData(nameof(Classes))]
    public void RunLength_StopsWhereTheByteTableDoes_ForEveryStopByteAndPosition(byte cls)
    {
        var members = Enumerable.Range(0, 256).Where(b => SipBytes.Is((byte)b, cls)).Select(b => (byte)b).ToArray();
        var random = new Random(cls);
        for (var length = 0; length <= 40; length++)
        {
            var text = new byte[length];
            for (var i = 0; i < length; i++)
                text[i] = members[random.Next(members.Length)];
            Assert.Equal(length, SipBytes.RunLength(text, cls)); // all members: the whole text, partial last block included
            for (var at = 0; at < length; at++)
            {
                var saved = text[at];
                for (var b = 0; b < 256; b++)
                {
                    text[at] = (byte)b;
                    Assert.Equal(Reference(text, cls), SipBytes.RunLength(text, cls));
                }
                text[at] = saved;
            }
        }
    }

    private static int Reference(ReadOnlySpan<byte> text, byte cls)
    {
        var n = 0;
        while (n < text.Length && SipBytes.Is(text[n], cls))
            n++;
        return n;
    }
}
