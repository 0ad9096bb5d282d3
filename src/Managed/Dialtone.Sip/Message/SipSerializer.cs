using System.Buffers;
using System.Text;

namespace Dialtone.Sip.Message;

/// <summary>
/// Writes a message as bytes: start line, header lines (parsed headers exactly as received),
/// empty line, body — encoded straight into one buffer, without building an intermediate string.
/// Content-Length is not invented here: builders and <see cref="SipMessage.SetBody"/> keep it right.
/// </summary>
public static class SipSerializer
{
    public static byte[] Serialize(SipMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var startLine = StartLine(message);
        var result = new byte[Length(message, startLine)];
        Write(message, startLine, result);
        return result;
    }

    /// <summary>The serialized size in bytes.</summary>
    public static int GetByteCount(SipMessage message) => Length(message, StartLine(message));

    /// <summary>Writes into a buffer writer (e.g. a pooled buffer for sending).</summary>
    public static void WriteTo(SipMessage message, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(writer);
        var startLine = StartLine(message);
        var length = Length(message, startLine);
        Write(message, startLine, writer.GetSpan(length));
        writer.Advance(length);
    }

    /// <summary>The start line as text, or null when an unedited parsed message can copy its own bytes.</summary>
    private static string? StartLine(SipMessage message) =>
        message.TryGetRawHead(out var raw, out _) && !raw.IsEmpty ? null : message.StartLine;

    private static int Length(SipMessage message, string? startLine)
    {
        if (message.TryGetRawHead(out var rawStart, out var rawHeaders))
            return (startLine is null ? rawStart.Length : Encoding.UTF8.GetByteCount(startLine)) + 2 + rawHeaders.Length + message.Body.Length;
        var length = Encoding.UTF8.GetByteCount(startLine!) + 2;
        foreach (var h in message.Headers)
            length += h.Utf8Length + 2;
        return length + 2 + message.Body.Length;
    }

    private static void Write(SipMessage message, string? startLine, Span<byte> destination)
    {
        var raw = message.TryGetRawHead(out var rawStart, out var rawHeaders);
        int n;
        if (startLine is null)
        {
            rawStart.CopyTo(destination);
            n = rawStart.Length;
        }
        else
        {
            n = Encoding.UTF8.GetBytes(startLine, destination);
        }
        n += Crlf(destination[n..]);
        if (raw)
        {
            // An unedited parsed message: its header section as received, in one copy.
            rawHeaders.CopyTo(destination[n..]);
            message.Body.Span.CopyTo(destination[(n + rawHeaders.Length)..]);
            return;
        }
        foreach (var h in message.Headers)
        {
            n += h.WriteUtf8(destination[n..]);
            n += Crlf(destination[n..]);
        }
        n += Crlf(destination[n..]);
        message.Body.Span.CopyTo(destination[n..]);
    }

    private static int Crlf(Span<byte> destination)
    {
        destination[0] = (byte)'\r';
        destination[1] = (byte)'\n';
        return 2;
    }
}
