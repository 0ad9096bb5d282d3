using System.Globalization;

namespace Dialtone.Cli.Views;

/// <summary>How figures read in the view, the plain log and the summary: one place, invariant culture.</summary>
internal static class Format
{
    public const string Unknown = "-";

    /// <summary>Milliseconds; a tenth is kept below 10 ms, where loopback round trips live.</summary>
    public static string Ms(double? value) => value is { } v ? v.ToString(v < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " ms" : Unknown;

    /// <summary>A person as "Alice &lt;sip:alice@example.com&gt;", without the dialog's tag.</summary>
    public static string Who(Dialtone.Sip.Message.SipAddress address) =>
        address.DisplayName is { Length: > 0 } name ? $"{name} <{address.Uri}>" : address.Uri.ToString();

    public static string Percent(double? value) => value is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) + " %" : Unknown;

    public static string Mos(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : Unknown;

    /// <summary>A linear 0..1 level as dBFS (full scale is 0 dB).</summary>
    public static string Level(double? value) => value switch
    {
        null => Unknown,
        <= 0.00001 => "silent",
        { } v => (20 * Math.Log10(v)).ToString("0", CultureInfo.InvariantCulture) + " dBFS",
    };

    public static string Count(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? Unknown;

    public static string YesNo(bool? value) => value switch { null => Unknown, true => "yes", false => "no" };

    public static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture).PadLeft(5) + "s";
}
