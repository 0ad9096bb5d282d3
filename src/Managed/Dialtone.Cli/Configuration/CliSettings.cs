namespace Dialtone.Cli.Configuration;

/// <summary>
/// The connection settings shared by register, call and listen, as read from the command line or a
/// configuration file. Every member is optional here; <see cref="Merge"/> layers two sources. No
/// password lives here: only the names of the environment variables that hold them.
/// </summary>
internal sealed record CliSettings
{
    /// <summary>Default for <see cref="PasswordEnv"/>.</summary>
    public const string DefaultPasswordVariable = "DIALTONE_PASSWORD";

    public string? Server { get; init; }

    public string? User { get; init; }

    public string? AuthUser { get; init; }

    public string? PasswordEnv { get; init; }

    public string? DisplayName { get; init; }

    public IReadOnlyList<string>? Stun { get; init; }

    public string? Turn { get; init; }

    public string? TurnUser { get; init; }

    public string? TurnPasswordEnv { get; init; }

    /// <summary>A PEM or DER CA certificate trusted in addition to the system roots.</summary>
    public string? Ca { get; init; }

    /// <summary>A PEM CA certificate trusted for a turns: relay in addition to libwebrtc's built-in roots.</summary>
    public string? TurnCa { get; init; }

    public bool? Verbose { get; init; }

    /// <summary><c>--media</c> / <c>--allow-unencrypted</c> (call): the media profile and whether plain RTP is allowed.</summary>
    public MediaChoice? Media { get; init; }

    /// <summary>This, with every unset member taken from <paramref name="fallback"/> (the command line wins over the file).</summary>
    public CliSettings Merge(CliSettings fallback) => new()
    {
        Server = Server ?? fallback.Server,
        User = User ?? fallback.User,
        AuthUser = AuthUser ?? fallback.AuthUser,
        PasswordEnv = PasswordEnv ?? fallback.PasswordEnv,
        DisplayName = DisplayName ?? fallback.DisplayName,
        Stun = Stun is { Count: > 0 } ? Stun : fallback.Stun,
        Turn = Turn ?? fallback.Turn,
        TurnUser = TurnUser ?? fallback.TurnUser,
        TurnPasswordEnv = TurnPasswordEnv ?? fallback.TurnPasswordEnv,
        Ca = Ca ?? fallback.Ca,
        TurnCa = TurnCa ?? fallback.TurnCa,
        Verbose = Verbose ?? fallback.Verbose,
        Media = Media ?? fallback.Media,
    };
}
