using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dialtone.Sip.Transport;

/// <summary>
/// Decides whether a TLS server certificate is acceptable under <see cref="SipTlsOptions"/>:
/// the platform's verdict (system trust store + host name) by default, widened only by the
/// explicit trusted roots or pinned fingerprints in the options.
/// </summary>
internal sealed class SipCertificateValidator(SipTlsOptions options)
{
    private readonly HashSet<string> _pins = new(
        (options.PinnedCertificateSha256 ?? []).Select(NormalizeFingerprint), StringComparer.Ordinal);

    public bool Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            return false;

        if (_pins.Count > 0)
        {
            var leaf = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
            var fingerprint = Convert.ToHexString(SHA256.HashData(leaf.RawData));
            if (_pins.Contains(fingerprint))
                return true;
        }

        if (errors == SslPolicyErrors.None)
            return true;

        // Only chain errors can be cured by an explicitly trusted root; a wrong name never is.
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || options.TrustedRootCertificates is not { Count: > 0 } roots)
            return false;

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(roots);
        // Private CAs rarely publish revocation lists; the trust decision here is the explicit root.
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements.Skip(1))
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        var leafCert = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
        return custom.Build(leafCert);
    }

    internal static string NormalizeFingerprint(string fingerprint) =>
        fingerprint.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
}
