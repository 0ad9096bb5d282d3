using System.Globalization;

namespace Dialtone.Cli.Views;

/// <summary>A level as a bar over −60…0 dBFS plus the figure, for the live view's microphone and speaker rows.</summary>
internal static class Meter
{
    private const int Cells = 20;
    private const double FloorDb = -60;

    public static string Markup(double? level)
    {
        if (level is not { } linear)
            return Format.Unknown;
        var db = linear <= 0.00001 ? double.NegativeInfinity : 20 * Math.Log10(linear);
        var filled = double.IsNegativeInfinity(db) ? 0 : (int)Math.Round(Math.Clamp((db - FloorDb) / -FloorDb, 0, 1) * Cells);
        var colour = db > -6 ? "red" : db > -20 ? "yellow" : "green";
        var bar = $"[{colour}]{new string('█', filled)}[/][grey]{new string('░', Cells - filled)}[/]";
        return $"{bar} {Format.Level(linear)}";
    }

    /// <summary>"converged, ERLE 32 dB" once AEC3 removes at least 10 dB; "off" when disabled.</summary>
    public static string EchoCanceller(bool? on, double? erle) => (on, erle) switch
    {
        (null, _) => Format.Unknown,
        (false, _) => "off",
        (true, null) => "on, no echo measured yet",
        (true, { } db) when db >= 10 => $"converged, ERLE {db.ToString("0", CultureInfo.InvariantCulture)} dB",
        (true, { } db) => $"not converged, ERLE {db.ToString("0", CultureInfo.InvariantCulture)} dB (no echo yet?)",
    };
}
