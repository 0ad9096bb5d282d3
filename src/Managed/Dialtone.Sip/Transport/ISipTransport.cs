namespace Dialtone.Sip.Transport;

/// <summary>
/// One SIP transport (a UDP socket, a TCP/TLS listener and its connections, a WebSocket
/// connection, or an in-memory loopback for tests). Transports deal only in whole framed
/// messages as bytes: framing (datagram, Content-Length on streams, one WebSocket message per SIP
/// message) is theirs; parsing and serializing belong to the layer above.
/// </summary>
public interface ISipTransport : IAsyncDisposable
{
    SipTransportKind Kind { get; }

    /// <summary>The host and port to put in Via and Contact (for WebSocket a <c>.invalid</c> host, RFC 7118 §5.2).</summary>
    SipHostPort LocalHostPort { get; }

    /// <summary>Sends one complete SIP message. Throws <see cref="SipTransportException"/> when it cannot be delivered.</summary>
    ValueTask SendAsync(SipEndPoint destination, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default);

    /// <summary>Raised for every complete message received; the bytes are borrowed for the call only.</summary>
    event SipFrameReceivedHandler? FrameReceived;

    /// <summary>Raised when a connection (or the WebSocket) is lost, so the layer above can recover the flow (RFC 5626).</summary>
    event Action<SipEndPoint, Exception?>? ConnectionClosed;
}

/// <summary>A complete SIP message arrived. <paramref name="message"/> is valid only during the call.</summary>
public delegate void SipFrameReceivedHandler(ISipTransport transport, SipEndPoint source, ReadOnlySpan<byte> message);

/// <summary>Host (name, IPv4 or bracketed IPv6) and optional port, as written in Via and URIs.</summary>
public readonly record struct SipHostPort(string Host, int? Port)
{
    public override string ToString() => Port is null ? Host : $"{Host}:{Port}";
}

/// <summary>A message could not be sent or a connection could not be made.</summary>
public sealed class SipTransportException(string message, Exception? inner = null) : Exception(message, inner);
