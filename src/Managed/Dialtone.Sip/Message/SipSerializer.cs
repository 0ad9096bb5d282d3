using System.Buffers;
using System.Text;

namespace Dialtone.Sip.Message;

/// <summary>
/// Writes a message as bytes: start line, header lines (parsed headers exactly as received),
/// empty line, body. Content-Length is not invented here: builders and <see cref="SipMessage.SetBody"/> keep it right.
/// </summary>
public static class SipSerializer
{
    public static byte[] Serialize(SipMessage message)
    {
        var sb = BuildHeaderText(message);
        var headerBytes = Encoding.UTF8.GetByteCount(sb.ToString());
        var result = new byte[headerBytes + message.Body.Length];
        Encoding.UTF8.GetBytes(sb.ToString(), result);
        message.Body.Span.CopyTo(result.AsSpan(headerBytes));
        return result;
    }

    /// <summary>Writes into a buffer writer (e.g. a pooled buffer for sending).</summary>
    public static void WriteTo(SipMessage message, IBufferWriter<byte> writer)
    {
        var text = BuildHeaderText(message).ToString();
        var count = Encoding.UTF8.GetByteCount(text);
        Encoding.UTF8.GetBytes(text, writer.GetSpan(count));
        writer.Advance(count);
        var body = message.Body.Span;
        body.CopyTo(writer.GetSpan(body.Length));
        writer.Advance(body.Length);
    }

    private static StringBuilder BuildHeaderText(SipMessage message)
    {
        var sb = new StringBuilder(512).Append(message.StartLine).Append("\r\n");
        foreach (var h in message.Headers)
        {
            h.AppendTo(sb);
            sb.Append("\r\n");
        }
        return sb.Append("\r\n");
    }
}
