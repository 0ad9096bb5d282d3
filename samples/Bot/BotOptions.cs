namespace Dialtone.Samples.Bot;

/// <summary>The bot's command line.</summary>
internal sealed record BotOptions(string Server, string User, string Prompt, string RecordFolder, string? Password, int? Digits, TimeSpan DigitTimeout, int? Calls)
{
    public static BotOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"expected '--option value' at '{args[i]}'");
            values[args[i][2..]] = args[i + 1];
        }
        string Required(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");
        int? Number(string name) => values.TryGetValue(name, out var v)
            ? int.TryParse(v, out var n) && n > 0 ? n : throw new ArgumentException($"--{name} takes a positive number")
            : null;

        var prompt = Required("prompt");
        if (!File.Exists(prompt))
            throw new ArgumentException($"--prompt: '{prompt}' does not exist");
        var folder = Required("record");
        Directory.CreateDirectory(folder);
        string? password = null;
        if (values.TryGetValue("password-env", out var variable))
            password = Environment.GetEnvironmentVariable(variable) ?? throw new ArgumentException($"--password-env: ${variable} is not set");
        foreach (var name in values.Keys.Except(["server", "user", "prompt", "record", "password-env", "digits", "digit-timeout", "calls"]))
            throw new ArgumentException($"unknown option --{name}");
        return new BotOptions(Required("server"), Required("user"), Path.GetFullPath(prompt), Path.GetFullPath(folder), password,
            Number("digits"), TimeSpan.FromSeconds(Number("digit-timeout") ?? 10), Number("calls"));
    }
}
