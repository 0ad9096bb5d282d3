namespace Dialtone.Sip.Transport;

/// <summary>What <see cref="SipStreamFramer.TryRead"/> found at the front of the stream.</summary>
internal enum SipStreamFrameKind
{
    /// <summary>Not enough bytes yet.</summary>
    None,
    /// <summary>A complete SIP message (start line, headers, Content-Length body).</summary>
    Message,
    /// <summary>An RFC 5626 §4.4.1 keep-alive ping (CRLFCRLF); answer with a pong.</summary>
    Ping,
    /// <summary>An RFC 5626 §4.4.1 keep-alive pong (a single CRLF).</summary>
    Pong,
}

/// <summary>The bytes on a stream are not SIP; the connection must be dropped.</summary>
public sealed class SipFramingException(string message) : Exception(message);

/// <summary>
/// Cuts a TCP/TLS byte stream into SIP messages using Content-Length (RFC 3261 §18.3) and
/// recognises RFC 5626 CRLF keep-alives between messages. Bytes are kept in one growing buffer,
/// capped at the maximum message size.
/// </summary>
internal sealed class SipStreamFramer
{
    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;

    private readonly int _maxMessageSize;
    private byte[] _buffer;
    private int _start;
    private int _count;

    public SipStreamFramer(int maxMessageSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageSize, 64);
        _maxMessageSize = maxMessageSize;
        _buffer = new byte[Math.Min(maxMessageSize, 8192)];
    }

    /// <summary>Space to receive into; call <see cref="Commit"/> with the number of bytes written.</summary>
    public Memory<byte> GetReceiveBuffer()
    {
        if (_start > 0 && _start + _count == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _count);
            _start = 0;
        }
        if (_start + _count == _buffer.Length)
        {
            // Full even after compaction: grow up to the cap (plus one byte so an oversized
            // message is seen as oversized rather than stalling).
            var size = Math.Min(_buffer.Length * 2, _maxMessageSize + 1);
            if (size <= _buffer.Length)
                throw new SipFramingException($"SIP message exceeds the {_maxMessageSize}-byte limit");
            Array.Resize(ref _buffer, size);
        }
        return _buffer.AsMemory(_start + _count);
    }

    public void Commit(int bytes) => _count += bytes;

    /// <summary>
    /// Takes the next frame off the front. For <see cref="SipStreamFrameKind.Message"/>,
    /// <paramref name="message"/> is valid until the next call on this framer.
    /// </summary>
    public SipStreamFrameKind TryRead(out ReadOnlySpan<byte> message)
    {
        message = default;
        var data = _buffer.AsSpan(_start, _count);
        if (data.IsEmpty)
            return SipStreamFrameKind.None;

        if (data[0] == (byte)'\r')
        {
            if (data.Length < 2)
                return SipStreamFrameKind.None;
            if (data[1] != (byte)'\n')
                throw new SipFramingException("stray CR between SIP messages");
            if (data.Length >= 4 && data[2] == (byte)'\r' && data[3] == (byte)'\n')
            {
                Consume(4);
                return SipStreamFrameKind.Ping;
            }
            if (data.Length == 3 && data[2] == (byte)'\r')
                return SipStreamFrameKind.None;
            Consume(2);
            return SipStreamFrameKind.Pong;
        }

        var firstLineEnd = data.IndexOf("\r\n"u8);
        if (firstLineEnd >= 0)
            CheckStartLine(data[..firstLineEnd]);
        else if (data.Length > 1024)
            throw new SipFramingException("no SIP start line within 1024 bytes");

        var headerEnd = data.IndexOf(HeaderEnd);
        if (headerEnd < 0)
        {
            if (data.Length > _maxMessageSize)
                throw new SipFramingException($"SIP header section exceeds the {_maxMessageSize}-byte limit");
            return SipStreamFrameKind.None;
        }

        var contentLength = ReadContentLength(data[..(headerEnd + 2)]);
        var total = (long)headerEnd + HeaderEnd.Length + contentLength;
        if (total > _maxMessageSize)
            throw new SipFramingException($"SIP message of {total} bytes exceeds the {_maxMessageSize}-byte limit");
        if (data.Length < total)
            return SipStreamFrameKind.None;

        message = data[..(int)total];
        Consume((int)total);
        return SipStreamFrameKind.Message;
    }

    private void Consume(int bytes)
    {
        _start += bytes;
        _count -= bytes;
        if (_count == 0)
            _start = 0;
    }

    private static void CheckStartLine(ReadOnlySpan<byte> line)
    {
        // Only tell "not SIP at all" from "SIP we will refuse". Binary bytes (e.g. a TLS ClientHello
        // on a TCP port) or another protocol's request line (GET / HTTP/1.1) mean the stream is not
        // SIP: drop it. Anything else is framed by its Content-Length and left to the parser, so that
        // a request line with another SIP version or a malformed one gets its 505 / 400 (RFC 3261
        // §8.2, §21.5.7) on this connection, which then serves the next request — as over UDP.
        if (line.IndexOfAnyInRange((byte)0, (byte)8) >= 0 || line.IndexOfAnyInRange((byte)10, (byte)31) >= 0 || line.Contains((byte)127))
            throw new SipFramingException("stream data does not start with a SIP request or status line");
        if (line.StartsWith("SIP/"u8))
            return;
        var version = line[(line.LastIndexOf((byte)' ') + 1)..];
        var slash = version.IndexOf((byte)'/');
        if (slash > 0 && !System.Text.Ascii.EqualsIgnoreCase(version[..slash], "SIP"u8) &&
            version[..slash].IndexOfAnyExceptInRange((byte)'A', (byte)'Z') < 0)
            throw new SipFramingException($"stream data does not start with a SIP request or status line ({System.Text.Encoding.ASCII.GetString(version[..slash])} request)");
    }

    private static int ReadContentLength(ReadOnlySpan<byte> headers)
    {
        // Skip the start line, then look at each header line's name.
        var pos = headers.IndexOf("\r\n"u8) + 2;
        int? length = null;
        while (pos < headers.Length)
        {
            var rest = headers[pos..];
            var lineEnd = rest.IndexOf("\r\n"u8);
            var line = lineEnd < 0 ? rest : rest[..lineEnd];
            pos += (lineEnd < 0 ? rest.Length : lineEnd) + 2;

            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[0] is (byte)' ' or (byte)'\t')
                continue; // folded continuation or malformed line: the parser will judge it
            var name = line[..colon].TrimEnd(" \t"u8);
            if (!name.SequenceEqual("l"u8) && !name.SequenceEqual("L"u8) &&
                !System.Text.Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
                continue;

            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (value.IsEmpty || value.Length > 9 || value.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
                throw new SipFramingException("invalid Content-Length value");
            var parsed = 0;
            foreach (var digit in value)
                parsed = parsed * 10 + (digit - '0');
            if (length is not null && length != parsed)
                throw new SipFramingException("conflicting Content-Length headers");
            length = parsed;
        }
        return length ?? throw new SipFramingException("Content-Length is required on stream transports (RFC 3261 §18.3)");
    }
}
