using System.Text;
using Dialtone.WebRtc;

namespace Dialtone.Cli.Controls;

/// <summary>
/// The keys that drive a call at a terminal, and the footer that lists them. <c>t</c> starts typing
/// a transfer address: keys then go into the address until Enter (transfer) or Esc (never mind).
/// Not thread-safe: one keyboard reader feeds it.
/// </summary>
internal sealed class KeyMap
{
    /// <summary>Volume keys move by this step (0..1).</summary>
    public const double VolumeStep = 0.1;

    public const string RingingFooter = "[bold]a[/] answer  [bold]r[/] reject  [bold]Ctrl+C[/] quit";

    public const string CallFooter =
        "[bold]h[/] hang up  [bold]m[/] mute  [bold]p[/] hold/resume  [bold]0-9 * #[/] DTMF  [bold]t[/] transfer  "
        + "[bold]+ -[/] speaker  [bold]> <[/] microphone";

    private StringBuilder? _typing;

    /// <summary>The transfer address being typed, or null when keys are commands.</summary>
    public string? Typing => _typing?.ToString();

    public static bool AreDigits(string text) => text.Length > 0 && text.All(c => "0123456789*#ABCDabcd".Contains(c));

    /// <summary>The control for this key, or null (a key with no meaning, or one typed into the address).</summary>
    public Control? Handle(ConsoleKeyInfo key)
    {
        if (_typing is { } typing)
            return Type(typing, key);
        return key.KeyChar switch
        {
            'a' or 'A' => new Answer(),
            'r' or 'R' => new Reject(),
            'h' or 'H' => new Hangup(),
            'm' or 'M' => new Mute(null),
            'p' or 'P' => new Hold(null),
            >= '0' and <= '9' or '*' or '#' => new Digits(key.KeyChar.ToString()),
            '+' or '=' => new Volume(AudioDeviceDirection.Output, VolumeStep, Relative: true),
            '-' or '_' => new Volume(AudioDeviceDirection.Output, -VolumeStep, Relative: true),
            '>' or '.' => new Volume(AudioDeviceDirection.Input, VolumeStep, Relative: true),
            '<' or ',' => new Volume(AudioDeviceDirection.Input, -VolumeStep, Relative: true),
            't' or 'T' => StartTyping(),
            _ => null,
        };
    }

    private Control? StartTyping()
    {
        _typing = new StringBuilder("sip:");
        return null;
    }

    private Control? Type(StringBuilder typing, ConsoleKeyInfo key)
    {
        switch (key.Key)
        {
            case ConsoleKey.Enter:
                _typing = null;
                return typing.Length > 0 ? new Transfer(typing.ToString()) : null;
            case ConsoleKey.Escape:
                _typing = null;
                return null;
            case ConsoleKey.Backspace:
                if (typing.Length > 0)
                    typing.Length--;
                return null;
        }
        if (key.KeyChar >= ' ' && !char.IsControl(key.KeyChar))
            typing.Append(key.KeyChar);
        return null;
    }
}
