using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Dialtone.Cli.Configuration;

/// <summary>Durations as people type them: <c>30</c> or <c>30s</c>, <c>1500ms</c>, <c>2m</c>, <c>1h</c>, or <c>00:01:30</c>.</summary>
internal static class Durations
{
    /// <summary>The longest duration or timeout accepted: a day (timers reject more than ~49 days; nobody means more).</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromHours(24);

    public static Option<TimeSpan?> Option(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "time",
        CustomParser = Parse,
    };

    private static TimeSpan? Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (TryParse(text, out var value) && value > TimeSpan.Zero)
        {
            if (value <= Longest)
                return value;
            result.AddError($"'{Text.Escape(text)}' is too long: at most 24h.");
            return null;
        }
        result.AddError($"'{Text.Escape(text)}' is not a duration: use e.g. 30s, 1500ms, 2m or 00:01:30.");
        return null;
    }

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        (string number, double unitSeconds) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60),
            _ when text.EndsWith('h') || text.EndsWith('H') => (text[..^1], 3600),
            _ => (text, 1),
        };
        if (double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) && amount * unitSeconds < TimeSpan.MaxValue.TotalSeconds)
        {
            value = TimeSpan.FromSeconds(amount * unitSeconds);
            return true;
        }
        return text.Contains(':') && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
    }
}
