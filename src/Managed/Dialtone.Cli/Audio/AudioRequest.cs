namespace Dialtone.Cli.Audio;

/// <summary>
/// What the user asked for the call's sound: a file to play and one to record, the devices by name,
/// or no sound at all. <see cref="CallAudio.Plan"/> turns it into an audio device.
/// </summary>
internal sealed record AudioRequest
{
    public string? Play { get; init; }

    public string? Record { get; init; }

    public string? Microphone { get; init; }

    public string? Speaker { get; init; }

    /// <summary><c>--no-audio</c>: send silence and play nothing, even when a sound server is there.</summary>
    public bool NoAudio { get; init; }

    /// <summary>The sound server (<c>$PULSE_SERVER</c>); null: libpulse's default.</summary>
    public string? Server { get; init; }

    /// <summary>Nothing asked: what register uses (it never sets up media).</summary>
    public static AudioRequest Silent { get; } = new() { NoAudio = true };
}
