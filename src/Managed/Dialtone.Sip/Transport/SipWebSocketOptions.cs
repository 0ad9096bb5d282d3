namespace Dialtone.Sip.Transport;

/// <summary>Options for SIP over WebSocket (RFC 7118).</summary>
public sealed record SipWebSocketOptions
{
    /// <summary>
    /// The keep-alive interval; null disables pings. A silent server is detected and the
    /// connection closed within this interval: pings go out every interval minus the pong wait
    /// (<see cref="KeepAliveTimeout"/>, at most half the interval).
    /// </summary>
    public TimeSpan? KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for the pong to a ping before aborting the connection (at most half of <see cref="KeepAliveInterval"/>).</summary>
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
