using System.Globalization;

namespace Dialtone.Sip.Sessions;

/// <summary>DTMF in SIP INFO bodies: application/dtmf-relay (<c>Signal=5</c>, <c>Duration=160</c>) and application/dtmf (one key).</summary>
public static class DtmfInfo
{
    public static bool IsKey(char c) => char.IsAsciiDigit(c) || c is '*' or '#' || char.ToUpperInvariant(c) is >= 'A' and <= 'D';

    /// <summary>An application/dtmf-relay body.</summary>
    public static string Format(char digit, TimeSpan duration) =>
        $"Signal={digit}\r\nDuration={((int)duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}\r\n";

    /// <summary>The digit and duration of a body; digit null when it carries none.</summary>
    public static (char? Digit, TimeSpan Duration) Parse(string body, bool plainDigit)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (plainDigit)
            return body.Trim() is [var only] && IsKey(only) ? (char.ToUpperInvariant(only), TimeSpan.FromMilliseconds(250)) : (null, default);
        char? digit = null;
        var duration = TimeSpan.FromMilliseconds(250);
        foreach (var line in body.Split('\n'))
        {
            var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2)
                continue;
            if (parts[0].Equals("Signal", StringComparison.OrdinalIgnoreCase))
                digit = parts[1] is [var key] && IsKey(key) ? char.ToUpperInvariant(key) : parts[1] switch { "10" => '*', "11" => '#', _ => null };
            else if (parts[0].Equals("Duration", StringComparison.OrdinalIgnoreCase) && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
                duration = TimeSpan.FromMilliseconds(ms);
        }
        return (digit, duration);
    }
}
