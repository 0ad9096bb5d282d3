using System.Text;

namespace Dialtone.Server;

/// <summary>
/// Builds the 400 for a request too malformed to parse (RFC 3261 §16.3 / §8.2): the reply copies the
/// request's Via, From, To, Call-ID and CSeq lines as they were written, since the parser could not
/// give them typed. Responses and text without a request line get no reply.
/// </summary>
internal static class MalformedRequestReply
{
    private static readonly string[] CopiedHeaders = ["via", "v", "from", "f", "to", "t", "call-id", "i", "cseq"];

    public static byte[]? TryCreate(ReadOnlySpan<byte> message, string reason)
    {
        var text = Encoding.UTF8.GetString(message[..Math.Min(message.Length, 16 * 1024)]);
        var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var lines = (headerEnd >= 0 ? text[..headerEnd] : text).Split("\r\n");
        if (lines.Length == 0 || lines[0].StartsWith("SIP/", StringComparison.OrdinalIgnoreCase) || !lines[0].EndsWith(" SIP/2.0", StringComparison.Ordinal))
            return null;
        var firstWord = lines[0].Split(' ')[0];
        if (firstWord == "ACK")
            return null;

        var copied = lines.Skip(1)
            .Where(line => line.IndexOf(':') is > 0 and var colon && CopiedHeaders.Contains(line[..colon].Trim().ToLowerInvariant()))
            .ToList();
        if (!copied.Any(l => l.StartsWith("v", StringComparison.OrdinalIgnoreCase)))
            return null; // without a Via the reply could not be routed anyway

        var phrase = new string(reason.Where(c => c is >= ' ' and not '\x7f').ToArray());
        var reply = new StringBuilder()
            .Append("SIP/2.0 400 Bad Request (").Append(phrase).Append(")\r\n");
        foreach (var line in copied)
            reply.Append(line).Append("\r\n");
        reply.Append("Content-Length: 0\r\n\r\n");
        return Encoding.UTF8.GetBytes(reply.ToString());
    }
}
