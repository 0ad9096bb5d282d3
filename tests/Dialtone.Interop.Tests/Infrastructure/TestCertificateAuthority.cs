using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dialtone.Interop.Tests.Infrastructure;

/// <summary>
/// A throw-away certificate authority made at run time for the wss:// tests, and a server
/// certificate it signs for 127.0.0.1 and localhost. Both peers trust the CA explicitly (Chromium
/// through its NSS database, Dialtone through SipTlsOptions.TrustedRootCertificates); nothing is
/// ever written to the system trust store, and no verification is switched off.
/// </summary>
internal sealed class TestCertificateAuthority : IDisposable
{
    private TestCertificateAuthority(X509Certificate2 root, X509Certificate2 server)
    {
        Root = root;
        ServerCertificate = server;
    }

    /// <summary>The CA certificate (public part only is handed out).</summary>
    public X509Certificate2 Root { get; }

    /// <summary>The server's certificate with its private key, for 127.0.0.1 and localhost.</summary>
    public X509Certificate2 ServerCertificate { get; }

    public static TestCertificateAuthority Create()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Dialtone interop test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var caWithKey = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // serverAuth
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caWithKey, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = serverRequest.Create(caWithKey, now.AddMinutes(-5), now.AddDays(1), serial);
        using var serverWithKey = signed.CopyWithPrivateKey(serverKey);
        // A PKCS#12 round trip gives a certificate whose key every TLS stack here can use.
        var server = X509CertificateLoader.LoadPkcs12(serverWithKey.Export(X509ContentType.Pkcs12), null);
        var root = X509CertificateLoader.LoadCertificate(caWithKey.RawData);
        return new TestCertificateAuthority(root, server);
    }

    /// <summary>The CA in PEM, for certutil.</summary>
    public string RootPem => Root.ExportCertificatePem();

    public void Dispose()
    {
        Root.Dispose();
        ServerCertificate.Dispose();
    }
}
