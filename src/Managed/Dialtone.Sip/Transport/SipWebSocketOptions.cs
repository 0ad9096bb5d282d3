namespace Dialtone.Sip.Transport;

/// <summary>Options for SIP over WebSocket (RFC 7118).</summary>
public sealed record SipWebSocketOptions
{
    /// <summary>
    /// Interval of WebSocket ping frames; null disables them. Together with
    /// <see cref="KeepAliveTimeout"/> a silent server is detected and the connection closed.
    /// </summary>
    public TimeSpan? KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for the pong to a ping before aborting the connection.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the opening handshake (TCP, TLS and HTTP upgrade) may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest SIP message accepted; a larger one closes the connection (1009, message too big).</summary>
    public int MaxMessageSize { get; init; } = 64 * 1024;

    /// <summary>Verification of the server certificate for <c>wss://</c>.</summary>
    public SipTlsOptions Tls { get; init; } = new();

    /// <summary>Extra HTTP headers for the upgrade request (e.g. an authorization token).</summary>
    public IReadOnlyDictionary<string, string>? RequestHeaders { get; init; }
}
