using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dialtone.Server;

/// <summary>Settings of <see cref="EmbeddedSipServer"/>. Validated when the server starts.</summary>
public sealed record EmbeddedSipServerOptions
{
    /// <summary>The SIP domain whose users register here (the host of their addresses of record).</summary>
    public string Domain { get; init; } = "127.0.0.1";

    /// <summary>The address Kestrel listens on. Loopback by default: the server authenticates nobody.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The TCP port; 0 picks a free one (see <see cref="EmbeddedSipServer.WebSocketUri"/>).</summary>
    public int Port { get; init; }

    /// <summary>
    /// Opt-in TLS: when set, the server listens for <c>wss://</c> only and presents this certificate
    /// (which must carry its private key). Null, the default, is plain <c>ws://</c>.
    /// </summary>
    public X509Certificate2? TlsCertificate { get; init; }

    /// <summary>The HTTP path of the WebSocket endpoint.</summary>
    public string Path { get; init; } = "/";

    /// <summary>Registrations asking for less are answered 423 Interval Too Brief (RFC 3261 §10.3 step 7).</summary>
    public TimeSpan MinExpires { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Registrations asking for more are granted this much.</summary>
    public TimeSpan MaxExpires { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Granted when a REGISTER names no expiry.</summary>
    public TimeSpan DefaultExpires { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The largest SIP message accepted from a client.</summary>
    public int MaxMessageBytes { get; init; } = 64 * 1024;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Domain))
            throw new ArgumentException("Domain must name a host.", nameof(Domain));
        if (Port is < 0 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "Port must be 0 to 65535.");
        if (!Path.StartsWith('/'))
            throw new ArgumentException("Path must start with '/'.", nameof(Path));
        if (MinExpires <= TimeSpan.Zero || MinExpires > MaxExpires || DefaultExpires < MinExpires || DefaultExpires > MaxExpires)
            throw new ArgumentException("Expiry limits must satisfy 0 < MinExpires <= DefaultExpires <= MaxExpires.");
        if (TlsCertificate is { HasPrivateKey: false })
            throw new ArgumentException("The TLS certificate must carry its private key.", nameof(TlsCertificate));
        if (MaxMessageBytes < 1024)
            throw new ArgumentOutOfRangeException(nameof(MaxMessageBytes), MaxMessageBytes, "At least 1024 bytes.");
    }
}
