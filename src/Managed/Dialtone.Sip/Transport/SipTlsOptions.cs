using System.Security.Cryptography.X509Certificates;

namespace Dialtone.Sip.Transport;

/// <summary>
/// How TLS peers are verified. The default verifies the server's chain against the system trust
/// store and its name against the host we connect to. Trusting something else is always an
/// explicit choice made here; there is no "accept everything" switch.
/// </summary>
public sealed record SipTlsOptions
{
    /// <summary>
    /// Extra root certificates (e.g. a private or test CA). When set, a server chain that ends in
    /// one of these is accepted; the host name must still match.
    /// </summary>
    public X509Certificate2Collection? TrustedRootCertificates { get; init; }

    /// <summary>
    /// SHA-256 fingerprints (hex, colons optional) of leaf certificates to accept exactly,
    /// regardless of chain and name. Use for a self-signed server you know.
    /// </summary>
    public IReadOnlyList<string>? PinnedCertificateSha256 { get; init; }

    /// <summary>The certificate (with private key) a TLS listener presents.</summary>
    public X509Certificate2? ServerCertificate { get; init; }

    /// <summary>Client certificates offered when a server asks for one (mutual TLS).</summary>
    public X509Certificate2Collection? ClientCertificates { get; init; }

    /// <summary>How long a TLS handshake may take.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
