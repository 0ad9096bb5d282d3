using Spectre.Console;

namespace Dialtone.Cli.Configuration;

/// <summary>
/// Where passwords come from: an environment variable, else (at a terminal) a prompt that echoes
/// nothing. Passwords are handed straight to the SIP/TURN credentials and never printed or logged.
/// </summary>
internal static class Secrets
{
    /// <summary>The SIP password, or null when none is set and nobody can be asked (then no digest credentials are used).</summary>
    public static string? SipPassword(CliSettings settings, CliHost host, string user)
    {
        var variable = settings.PasswordEnv ?? CliSettings.DefaultPasswordVariable;
        if (host.GetEnvironmentVariable(variable) is { Length: > 0 } password)
            return password;
        if (!host.InputIsTerminal)
            return null;
        var prompt = new TextPrompt<string>($"Password for [bold]{Markup.Escape(user)}[/] (empty if the server needs none):")
            .Secret()
            .AllowEmpty();
        var typed = host.Console.Prompt(prompt);
        return typed.Length == 0 ? null : typed;
    }

    /// <summary>The TURN password from its variable; an error when a TURN user is given without one.</summary>
    public static string? TurnPassword(CliSettings settings, CliHost host)
    {
        if (settings.TurnPasswordEnv is not { } variable)
            return null;
        return host.GetEnvironmentVariable(variable) is { Length: > 0 } password
            ? password
            : throw new CliException(ExitCode.Usage, $"The TURN password variable {variable} is not set.");
    }
}
