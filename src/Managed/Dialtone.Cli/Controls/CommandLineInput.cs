using System.Globalization;
using System.Threading.Channels;
using Dialtone.WebRtc;

namespace Dialtone.Cli.Controls;

/// <summary>
/// The controls as lines on standard input, for scripts and tests when nobody is at a terminal:
/// <c>answer</c>, <c>reject</c>, <c>hangup</c>, <c>mute</c>, <c>unmute</c>, <c>hold</c>,
/// <c>resume</c>, <c>dtmf DIGITS</c>, <c>transfer URI</c>, <c>speaker PERCENT</c>,
/// <c>microphone PERCENT</c> (also <c>mic</c>). Case does not matter; blank lines and lines starting
/// with <c>#</c> are ignored.
/// </summary>
internal static class CommandLineInput
{
    public const string Help =
        "answer | reject | hangup | mute | unmute | hold | resume | dtmf DIGITS | transfer URI | speaker PERCENT | microphone PERCENT";

    /// <summary>The control a line asks for; null for a blank or comment line.</summary>
    public static Control? Parse(string line)
    {
        var text = line.Trim();
        if (text.Length == 0 || text.StartsWith('#'))
            return null;
        var space = text.IndexOfAny([' ', '\t']);
        var verb = (space < 0 ? text : text[..space]).ToLowerInvariant();
        var argument = space < 0 ? "" : text[(space + 1)..].Trim();
        return (verb, argument.Length > 0) switch
        {
            ("answer", false) => new Answer(),
            ("reject", false) => new Reject(),
            ("hangup" or "bye", false) => new Hangup(),
            ("mute", false) => new Mute(true),
            ("unmute", false) => new Mute(false),
            ("hold", false) => new Hold(true),
            ("resume", false) => new Hold(false),
            ("dtmf", true) when KeyMap.AreDigits(argument) => new Digits(argument.ToUpperInvariant()),
            ("transfer", true) => new Transfer(argument),
            ("speaker", true) when Percent(argument) is { } level => new Volume(AudioDeviceDirection.Output, level, Relative: false),
            ("microphone" or "mic", true) when Percent(argument) is { } level => new Volume(AudioDeviceDirection.Input, level, Relative: false),
            _ => new Unknown(text),
        };
    }

    private static double? Percent(string text) =>
        double.TryParse(text.TrimEnd('%'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent) && percent is >= 0 and <= 100
            ? percent / 100
            : null;

    /// <summary>Reads lines until the input ends or <paramref name="cancellationToken"/> fires.</summary>
    public static async Task RunAsync(TextReader input, ChannelWriter<Control> controls, CancellationToken cancellationToken)
    {
        try
        {
            while (await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (Parse(line) is { } control)
                    await controls.WriteAsync(control, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
            // Standard input went away: no more controls, the call goes on.
        }
    }
}
