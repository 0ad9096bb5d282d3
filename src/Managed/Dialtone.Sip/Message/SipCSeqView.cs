using System.Text;

namespace Dialtone.Sip.Message;

/// <summary>
/// A CSeq value (RFC 3261 §20.16) read in place from the message's UTF-8 bytes: the sequence
/// number and the method. <see cref="Method"/> is the shared constant for the RFC methods, so
/// reading it allocates nothing for them.
/// </summary>
public readonly ref struct SipCSeqView
{
    /// <summary>The sequence number (below 2^31).</summary>
    public long Number { get; private init; }

    /// <summary>The method token as written.</summary>
    public ReadOnlySpan<byte> MethodBytes { get; private init; }

    /// <summary>The method: a <see cref="SipMethods"/> constant when it is a known one (no allocation), else a new string.</summary>
    public string Method => SipMethods.Intern(MethodBytes);

    /// <summary>Whether the method is exactly <paramref name="method"/> (methods are case-sensitive).</summary>
    public bool IsMethod(string method) => MethodBytes.Length == method.Length && Ascii.Equals(MethodBytes, method);

    /// <summary>Reads a CSeq value. Returns false, never throws, when it is malformed.</summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out SipCSeqView cseq) => TryRead(value, out cseq) is null;

    /// <summary>As <see cref="TryParse"/>, throwing <see cref="SipParseException"/> when the value is malformed.</summary>
    public static SipCSeqView Parse(ReadOnlySpan<byte> value) =>
        TryRead(value, out var cseq) is { } problem ? throw new SipParseException($"CSeq: {problem}") : cseq;

    private static string? TryRead(ReadOnlySpan<byte> value, out SipCSeqView cseq)
    {
        cseq = default;
        var r = new SipByteReader(value);
        r.SkipWhitespace();
        long number = 0;
        var start = r.Position;
        while (!r.AtEnd && (uint)(r.Peek - '0') <= 9 && r.Position - start < 11)
        {
            number = number * 10 + (r.Peek - '0');
            r.Position++;
        }
        if (r.Position - start is 0 or > 10 || number > SipCSeq.MaxNumber)
            return "sequence number must be a decimal below 2^31";
        if (!SipByteReader.IsWhitespace(r.Peek))
            return "expected whitespace between number and method";
        r.SkipWhitespace();
        if (!r.TryReadToken(out var method))
            return "expected method";
        r.SkipWhitespace();
        if (!r.AtEnd)
            return $"unexpected '{(char)r.Peek}' after the method";
        cseq = new SipCSeqView { Number = number, MethodBytes = method };
        return null;
    }
}
