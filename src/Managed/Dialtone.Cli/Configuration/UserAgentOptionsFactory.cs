using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dialtone.Phone;
using Dialtone.Phone.Media;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;
using Dialtone.WebRtc;
using Microsoft.Extensions.Logging;

namespace Dialtone.Cli.Configuration;

/// <summary>Turns the merged <see cref="CliSettings"/> into the Phone layer's <see cref="UserAgentOptions"/>, with usage errors a person can act on.</summary>
internal static class UserAgentOptionsFactory
{
    public static UserAgentOptions Create(CliSettings settings, CliHost host, PeerConnectionFactoryOptions audio, ILoggerFactory loggers)
    {
        var server = settings.Server
            ?? throw new CliException(ExitCode.Usage, "Say which SIP server to use: --server wss://sip.example.com/ws (or \"server\" in --config).");
        var userText = settings.User
            ?? throw new CliException(ExitCode.Usage, "Say who you are: --user sip:alice@example.com (or \"user\" in --config).");
        if (!SipUri.TryParse(userText, out var aor) || aor is null || string.IsNullOrEmpty(aor.User))
            throw new CliException(ExitCode.Usage, $"--user '{userText}' is not a SIP address like sip:alice@example.com.");

        var password = Secrets.SipPassword(settings, host, aor.ToString());
        return new UserAgentOptions
        {
            Server = server,
            AddressOfRecord = aor,
            DisplayName = settings.DisplayName,
            Credentials = password is null ? null : new SipCredentials(settings.AuthUser ?? aor.User, password),
            Audio = audio,
            Media = new CallMediaOptions { PeerConnection = new PeerConnectionConfiguration { IceServers = IceServers(settings, host) } },
            Tls = new SipTlsOptions { TrustedRootCertificates = settings.Ca is { } ca ? LoadCertificates(ca) : null },
            LoggerFactory = loggers,
        };
    }

    private static List<IceServer> IceServers(CliSettings settings, CliHost host)
    {
        var servers = new List<IceServer>();
        try
        {
            foreach (var stun in settings.Stun ?? [])
                servers.Add(new IceServer(stun));
            if (settings.Turn is { } turn)
                servers.Add(new IceServer(turn, settings.TurnUser, Secrets.TurnPassword(settings, host)));
            else if (settings.TurnUser is not null || settings.TurnPasswordEnv is not null)
                throw new CliException(ExitCode.Usage, "--turn-user and --turn-password-env need --turn.");
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCode.Usage, e.Message, e);
        }
        return servers;
    }

    /// <summary>Every certificate in a PEM file, or the one in a DER file.</summary>
    internal static X509Certificate2Collection LoadCertificates(string path)
    {
        try
        {
            var collection = new X509Certificate2Collection();
            if (File.ReadAllText(path).Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
                collection.ImportFromPemFile(path);
            else
                collection.Add(X509CertificateLoader.LoadCertificateFromFile(path));
            if (collection.Count == 0)
                throw new CliException(ExitCode.Usage, $"--ca '{path}' holds no certificate.");
            return collection;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new CliException(ExitCode.Usage, $"Cannot load the CA certificate '{path}': {e.Message}", e);
        }
    }
}
