using Dialtone.WebRtc;

namespace Dialtone.Network.Tests;

/// <summary>
/// <see cref="PeerConnectionFactoryOptions.TlsTrustedCertificates"/> without the lab: what text it takes
/// and how it says no. (Whether a trusted CA makes a turns: server usable: TurnGatheringTests and
/// CallsAcrossNatsTests, in the lab.)
/// </summary>
public sealed class TurnTlsTrustOptionTests
{
    private static string TestCa => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "turn-test-ca.pem"));

    [Fact]
    public void A_PEM_CA_is_accepted_and_can_be_replaced_and_removed()
    {
        using var factory = new PeerConnectionFactory(new PeerConnectionFactoryOptions { TlsTrustedCertificates = TestCa });
        factory.SetTlsTrustedCertificates(TestCa + "\n" + TestCa); // the same CA twice is fine
        factory.SetTlsTrustedCertificates(null);
        factory.SetTlsTrustedCertificates("");
    }

    [Theory]
    [InlineData("not a certificate")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA!!!!\n-----END CERTIFICATE-----\n")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n")]
    public void Text_that_is_not_a_PEM_certificate_is_a_clear_argument_error(string pem)
    {
        var e = Assert.Throws<ArgumentException>(() => new PeerConnectionFactory(new PeerConnectionFactoryOptions { TlsTrustedCertificates = pem }));
        Assert.Contains("trusted TLS certificates", e.Message);

        using var factory = new PeerConnectionFactory();
        Assert.Throws<ArgumentException>(() => factory.SetTlsTrustedCertificates(pem));
    }

    [Fact]
    public void A_damaged_second_certificate_is_named()
    {
        using var factory = new PeerConnectionFactory();
        var e = Assert.Throws<ArgumentException>(() => factory.SetTlsTrustedCertificates(TestCa + TestCa[..200]));
        Assert.Contains("certificate 2", e.Message);
    }
}
