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
        if (!TryParseUser(userText, out var aor))
            throw new CliException(ExitCode.Usage, $"--user '{Text.Escape(userText)}' is not a SIP address like sip:alice@example.com.");

        var password = Secrets.SipPassword(settings, host, aor.ToString());
        return new UserAgentOptions
        {
            Server = server,
            AddressOfRecord = aor,
            DisplayName = settings.DisplayName,
            Credentials = password is null ? null : new SipCredentials(settings.AuthUser ?? aor.User!, password),
            Audio = audio,
            Media = new CallMediaOptions { PeerConnection = new PeerConnectionConfiguration { IceServers = IceServers(settings, host) } },
            Tls = new SipTlsOptions { TrustedRootCertificates = settings.Ca is { } ca ? LoadCertificates(ca) : null },
            TurnTlsTrustedCertificates = settings.TurnCa is { } turnCa ? LoadTurnCa(turnCa) : null,
            LegacyMedia = settings.Media?.LegacyMedia,
            LoggerFactory = loggers,
        };
    }

    private static bool TryParseUser(string text, out SipUri aor)
    {
        aor = null!;
        try
        {
            // TryParse itself threw for some inputs ("sip"); a parse failure of any kind is a usage error here.
            if (text.Any(char.IsControl) || !SipUri.TryParse(text, out var parsed) || parsed is null || string.IsNullOrEmpty(parsed.User))
                return false;
            aor = parsed;
            return true;
        }
        catch (Exception e) when (e is ArgumentException or SipParseException or FormatException)
        {
            return false;
        }
    }

    /// <summary>stun:/stuns:/turn:/turns: host[:port][?transport=udp|tcp] (RFC 7064/7065), checked before libwebrtc sees it.</summary>
    internal static void CheckIceUrl(string option, string url)
    {
        var match = System.Text.RegularExpressions.Regex.Match(url,
            @"^(?<scheme>stuns?|turns?):(?<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.\-]*)(:(?<port>[0-9]{1,5}))?(\?transport=(udp|tcp))?$",
            System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        var portOk = !match.Groups["port"].Success || int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture) is >= 1 and <= 65535;
        var isTurn = option == "--turn";
        var schemeOk = match.Success && match.Groups["scheme"].Value.StartsWith(isTurn ? "turn" : "stun", StringComparison.OrdinalIgnoreCase);
        if (!match.Success || !portOk || !schemeOk)
            throw new CliException(ExitCode.Usage,
                $"{option} '{Text.Escape(url)}' is not a {(isTurn ? "TURN" : "STUN")} server address like "
                + (isTurn ? "turn:turn.example.com:3478?transport=udp" : "stun:stun.example.com:3478") + ".");
    }

    private static List<IceServer> IceServers(CliSettings settings, CliHost host)
    {
        var servers = new List<IceServer>();
        try
        {
            foreach (var stun in settings.Stun ?? [])
            {
                CheckIceUrl("--stun", stun);
                servers.Add(new IceServer(stun));
            }
            if (settings.Turn is { } turn)
            {
                CheckIceUrl("--turn", turn);
                servers.Add(new IceServer(turn, settings.TurnUser, Secrets.TurnPassword(settings, host)));
            }
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
    /// <summary>--turn-ca: PEM text with at least one certificate (libwebrtc's verifier takes PEM).</summary>
    internal static string LoadTurnCa(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCode.Usage, $"--turn-ca '{Text.Escape(path)}' cannot be read: {e.Message}", e);
        }

        if (!text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            throw new CliException(ExitCode.Usage, $"--turn-ca '{Text.Escape(path)}' holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
        return text;
    }

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
