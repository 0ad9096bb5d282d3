using System.CommandLine;

namespace Dialtone.Cli.Configuration;

/// <summary>
/// The options register, call and listen share: where the server is, who we are, how we
/// authenticate, STUN/TURN, TLS trust, a config file, and logging. One instance per command.
/// </summary>
internal sealed class ConnectionOptions
{
    public Option<string> Server { get; } = new("--server", "-s")
    {
        Description = "The SIP server: wss://host/path or ws://host:port/path (SIP over WebSocket), "
            + "or sip:host[:port];transport=udp|tcp|tls for classic SIP.",
        HelpName = "url",
    };

    public Option<string> User { get; } = new("--user", "-u")
    {
        Description = "Your SIP address (address of record), e.g. sip:alice@example.com.",
        HelpName = "sip-uri",
    };

    public Option<string> AuthUser { get; } = new("--auth-user")
    {
        Description = "The user name for digest authentication, when it differs from the user part of --user.",
        HelpName = "name",
    };

    public Option<string> PasswordEnv { get; } = new("--password-env")
    {
        Description = $"The environment variable holding your password (default {CliSettings.DefaultPasswordVariable}). "
            + "If it is not set and you are at a terminal, dialtone asks for the password without echoing it.",
        HelpName = "VAR",
    };

    public Option<string> DisplayName { get; } = new("--display-name")
    {
        Description = "The name shown to the people you call.",
        HelpName = "name",
    };

    public Option<string[]> Stun { get; } = new("--stun")
    {
        Description = "A STUN server, e.g. stun:stun.example.com:3478 (repeat for more).",
        HelpName = "url",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string> Turn { get; } = new("--turn")
    {
        Description = "A TURN relay, e.g. turn:turn.example.com:3478?transport=udp.",
        HelpName = "url",
    };

    public Option<string> TurnUser { get; } = new("--turn-user")
    {
        Description = "The TURN user name.",
        HelpName = "name",
    };

    public Option<string> TurnPasswordEnv { get; } = new("--turn-password-env")
    {
        Description = "The environment variable holding the TURN password.",
        HelpName = "VAR",
    };

    public Option<string> TurnCa { get; } = new("--turn-ca")
    {
        Description = "Also trust this CA certificate (PEM file) for a turns: relay's TLS certificate. "
            + "The relay's certificate is always verified; this adds a root, it never turns checking off.",
        HelpName = "file",
    };

    public Option<string> Ca { get; } = new("--ca")
    {
        Description = "Also trust this CA certificate (PEM or DER file) for wss:// and TLS servers. "
            + "Server certificates are always verified; this adds a root, it never turns checking off.",
        HelpName = "file",
    };

    public Option<string> Config { get; } = new("--config", "-c")
    {
        Description = "Read these settings from a JSON file (see docs/cli.md); options on the command line win.",
        HelpName = "file",
    };

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Log SIP messages and call events to standard error (passwords are never logged). Turns the live view off.",
    };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Server, User, AuthUser, PasswordEnv, DisplayName, Stun, Turn, TurnUser, TurnPasswordEnv, TurnCa, Ca, Config, Verbose })
            command.Options.Add(option);
    }

    /// <summary>The settings in force: the command line over the config file (if any).</summary>
    public CliSettings Read(ParseResult parse)
    {
        var fromCommandLine = new CliSettings
        {
            Server = parse.GetValue(Server),
            User = parse.GetValue(User),
            AuthUser = parse.GetValue(AuthUser),
            PasswordEnv = parse.GetValue(PasswordEnv),
            DisplayName = parse.GetValue(DisplayName),
            Stun = parse.GetValue(Stun),
            Turn = parse.GetValue(Turn),
            TurnUser = parse.GetValue(TurnUser),
            TurnPasswordEnv = parse.GetValue(TurnPasswordEnv),
            TurnCa = parse.GetValue(TurnCa),
            Ca = parse.GetValue(Ca),
            // A flag that is absent says nothing, so the file may still turn logging on.
            Verbose = parse.GetResult(Verbose) is { Implicit: false } ? parse.GetValue(Verbose) : null,
        };
        return parse.GetValue(Config) is { } path ? fromCommandLine.Merge(ConfigFile.Load(path)) : fromCommandLine;
    }
}
