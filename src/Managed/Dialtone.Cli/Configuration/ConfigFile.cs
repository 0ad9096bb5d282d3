using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dialtone.Cli.Configuration;

/// <summary>
/// Reads <c>--config FILE</c>: a JSON object with the same settings as the command-line options,
/// camelCased (<c>server</c>, <c>user</c>, <c>authUser</c>, <c>passwordEnv</c>, <c>displayName</c>,
/// <c>stun</c>, <c>turn</c>, <c>turnUser</c>, <c>turnPasswordEnv</c>, <c>ca</c>, <c>verbose</c>).
/// Unknown members are an error (a typo must not silently fall back to a default), and so is a
/// <c>password</c> member: secrets come from environment variables or the prompt, never a file.
/// </summary>
internal static class ConfigFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static CliSettings Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCode.Usage, $"Cannot read the configuration file '{path}': {e.Message}", e);
        }
        return Parse(text, path);
    }

    private static readonly string[] Known =
        ["server", "user", "authUser", "passwordEnv", "displayName", "stun", "turn", "turnUser", "turnPasswordEnv", "ca", "verbose"];

    /// <summary>What is wrong, in the file's own terms: the serializer's messages name .NET types and members.</summary>
    private static string Explain(JsonException e, string text)
    {
        var where = e.LineNumber is { } line ? $" (line {line + 1})" : "";
        // "$.stun[0]" → "stun"
        var member = e.Path is { Length: > 2 } jsonPath ? jsonPath[2..].Split('[', '.')[0] : null;
        if (e.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            var unknown = System.Text.RegularExpressions.Regex.Match(e.Message, "property '([^']*)'").Groups[1].Value;
            return $"unknown setting \"{Text.Escape(unknown)}\"{where}; the settings are {string.Join(", ", Known)}.";
        }
        if (member is not null && Known.Contains(member, StringComparer.OrdinalIgnoreCase))
        {
            var kind = member.ToLowerInvariant() switch
            {
                "stun" => "a list of strings, e.g. [\"stun:stun.example.com:3478\"]",
                "verbose" => "true or false",
                _ => "a string",
            };
            return $"\"{member}\"{where} must be {kind}.";
        }
        // Syntax errors: the reader's message names no types, only the position.
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal) is var p and > 0 ? p : message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.') + where + ".";
    }

    /// <summary>Parses the file's text; a relative <c>ca</c> path is taken relative to the file's folder.</summary>
    public static CliSettings Parse(string text, string path)
    {
        CliSettings? settings;
        try
        {
            using (var document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }))
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    throw new CliException(ExitCode.Usage, $"The configuration file '{path}' must hold a JSON object.");
                if (document.RootElement.EnumerateObject().Any(p => p.Name.Equals("password", StringComparison.OrdinalIgnoreCase)))
                    throw new CliException(ExitCode.Usage,
                        $"The configuration file '{path}' has a \"password\": keep secrets out of files; name an environment variable with \"passwordEnv\" instead.");
            }
            settings = JsonSerializer.Deserialize<CliSettings>(text, Json);
        }
        catch (JsonException e)
        {
            throw new CliException(ExitCode.Usage, $"The configuration file '{path}' is not valid: {Explain(e, text)}", e);
        }
        settings ??= new CliSettings();
        if (settings.Ca is { } ca && !Path.IsPathRooted(ca))
            settings = settings with { Ca = Path.GetFullPath(ca, Path.GetDirectoryName(Path.GetFullPath(path))!) };
        if (settings.TurnCa is { } turnCa && !Path.IsPathRooted(turnCa))
            settings = settings with { TurnCa = Path.GetFullPath(turnCa, Path.GetDirectoryName(Path.GetFullPath(path))!) };
        return settings;
    }
}
