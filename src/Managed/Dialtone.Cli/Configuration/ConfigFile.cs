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
            throw new CliException(ExitCode.Usage, $"The configuration file '{path}' is not valid: {e.Message}", e);
        }
        settings ??= new CliSettings();
        if (settings.Ca is { } ca && !Path.IsPathRooted(ca))
            settings = settings with { Ca = Path.GetFullPath(ca, Path.GetDirectoryName(Path.GetFullPath(path))!) };
        return settings;
    }
}
