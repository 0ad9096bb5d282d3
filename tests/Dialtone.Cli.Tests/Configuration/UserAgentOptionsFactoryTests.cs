using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dialtone.Cli.Configuration;
using Dialtone.WebRtc;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dialtone.Cli.Tests.Configuration;

public sealed class UserAgentOptionsFactoryTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dialtone-cli-options-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly CliSettings Alice = new() { Server = "wss://sip.example.com/ws", User = "sip:alice@example.com" };

    private static Phone.UserAgentOptions Create(CliSettings settings, Func<string, string?>? environment = null) =>
        UserAgentOptionsFactory.Create(settings, CliHost.ForText(new StringWriter(), environment), new PeerConnectionFactoryOptions(), NullLoggerFactory.Instance);

    [Fact]
    public void Identity_credentials_and_ice_servers_come_from_the_settings()
    {
        var settings = Alice with
        {
            AuthUser = "a.smith",
            DisplayName = "Alice",
            Stun = ["stun:stun.example.com:3478"],
            Turn = "turn:turn.example.com:3478?transport=udp",
            TurnUser = "alice-turn",
            TurnPasswordEnv = "TURN_SECRET",
        };

        var options = Create(settings, name => name switch { "DIALTONE_PASSWORD" => "pw", "TURN_SECRET" => "tpw", _ => null });

        Assert.Equal("sip:alice@example.com", options.AddressOfRecord.ToString());
        Assert.Equal("Alice", options.DisplayName);
        Assert.Equal("a.smith", options.Credentials!.Username);
        var ice = options.Media.PeerConnection.IceServers;
        Assert.Equal(2, ice.Count);
        Assert.Equal(["stun:stun.example.com:3478"], ice[0].Urls);
        Assert.Equal(("alice-turn", "tpw"), (ice[1].Username, ice[1].Credential));
        Assert.Null(options.Tls.TrustedRootCertificates);
    }

    [Fact]
    public void Without_a_password_there_are_no_credentials()
    {
        Assert.Null(Create(Alice).Credentials);
    }

    [Theory]
    [InlineData("http://stun.example.com")]
    [InlineData("stun.example.com")]
    public void A_stun_server_that_is_not_a_stun_url_is_a_usage_error(string url)
    {
        var e = Assert.Throws<CliException>(() => Create(Alice with { Stun = [url] }));
        Assert.Equal(ExitCode.Usage, e.Code);
    }

    [Fact]
    public void Turn_credentials_without_a_turn_server_are_a_usage_error()
    {
        var e = Assert.Throws<CliException>(() => Create(Alice with { TurnUser = "x" }));
        Assert.Equal(ExitCode.Usage, e.Code);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_ca_file_is_trusted_in_pem_or_der_form(bool pem)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Dialtone Test CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(_folder, pem ? "ca.pem" : "ca.der");
        if (pem)
            File.WriteAllText(path, ca.ExportCertificatePem());
        else
            File.WriteAllBytes(path, ca.Export(X509ContentType.Cert));

        var trusted = Create(Alice with { Ca = path }).Tls.TrustedRootCertificates;

        Assert.NotNull(trusted);
        Assert.Equal(ca.Thumbprint, Assert.Single(trusted).Thumbprint);
    }

    [Fact]
    public void A_ca_file_that_holds_no_certificate_is_a_usage_error()
    {
        var path = Path.Combine(_folder, "not-a-cert.pem");
        File.WriteAllText(path, "hello");

        var e = Assert.Throws<CliException>(() => Create(Alice with { Ca = path }));
        Assert.Equal(ExitCode.Usage, e.Code);
        Assert.Contains("not-a-cert.pem", e.Message);
    }
}
