namespace Dialtone.Sip.Transport;

/// <summary>Options for TCP and TLS transports.</summary>
public sealed record SipStreamTransportOptions
{
    /// <summary>Largest SIP message accepted on a stream; a larger one drops the connection.</summary>
    public int MaxMessageSize { get; init; } = 64 * 1024;

    /// <summary>How long opening a new connection may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Keep-alive interval of RFC 5626 §4.4.1 CRLFCRLF pings on connections we open; null disables
    /// them. A silent peer is detected and the connection closed within this interval: each ping
    /// goes out after a random 80–100 % (as the RFC asks) of the interval minus the pong wait.
    /// With keep-alives on, a new TCP connection carries nothing until the peer answered a first
    /// ping (within the pong wait; else the send fails): a frozen server's kernel accepts
    /// connections, and what we sent would be read whenever it resumes.
    /// </summary>
    public TimeSpan? KeepAliveInterval { get; init; }

    /// <summary>How long to wait for the CRLF pong before declaring the flow failed (RFC 5626: 10 s), at most half of <see cref="KeepAliveInterval"/>.</summary>
    public TimeSpan KeepAlivePongTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Host and port to advertise in Via/Contact. When null, a listener's address is used, or a
    /// random <c>.invalid</c> host for a client without a listener (responses return over the
    /// connection anyway, RFC 3261 §18.2.2).
    /// </summary>
    public SipHostPort? AdvertisedHostPort { get; init; }

    public SipTlsOptions Tls { get; init; } = new();

    /// <summary>
    /// Most connections peers may hold open to our listener (TLS handshakes in progress count).
    /// Beyond it each new connection is closed at once; those already open are kept.
    /// </summary>
    public int MaxIncomingConnections
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(MaxIncomingConnections), value, "Must be positive.");
    } = 1024;

    /// <summary>
    /// An incoming connection on which the peer sent nothing, not even a keep-alive, for this long
    /// is closed (RFC 5626 clients ping every 95–120 s on TCP); null keeps idle connections.
    /// </summary>
    public TimeSpan? IncomingIdleTimeout
    {
        get;
        init => field = value is null || value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(IncomingIdleTimeout), value, "Must be positive.");
    } = TimeSpan.FromMinutes(5);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
