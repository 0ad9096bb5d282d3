using Dialtone.WebRtc;

namespace Dialtone.Cli.Audio;

/// <summary>
/// The sound server's microphones and speakers, as <c>dialtone devices</c> lists them and as
/// <c>--microphone</c>/<c>--speaker</c> choose them: by PulseAudio name (id) or by description.
/// </summary>
internal sealed record SoundDevices(string? Server, IReadOnlyList<AudioDeviceInfo> Microphones, IReadOnlyList<AudioDeviceInfo> Speakers)
{
    /// <summary>The variable libpulse reads for the server address; read here too, so the choice is visible.</summary>
    public const string ServerVariable = "PULSE_SERVER";

    /// <summary>Asks the sound server (null: libpulse's default) for its devices; no server is exit code 7.</summary>
    public static SoundDevices Query(string? server)
    {
        try
        {
            return new SoundDevices(server, AudioDevices.List(AudioDeviceDirection.Input, server), AudioDevices.List(AudioDeviceDirection.Output, server));
        }
        catch (WebRtcException e)
        {
            throw new CliException(ExitCode.NoSoundDevice,
                $"No sound server{(server is null ? "" : $" at {server}")}: {WebRtcReason(e)}. "
                + "Start PulseAudio or PipeWire, or use --no-audio to call without a microphone and speaker.", e);
        }
    }

    /// <summary>The engine's reason without the native function's name ("dt_audio_devices_list failed (AudioDevice): ").</summary>
    public static string WebRtcReason(WebRtcException e)
    {
        var message = e.Message;
        var marker = message.IndexOf("): ", StringComparison.Ordinal);
        return (message.StartsWith("dt_", StringComparison.Ordinal) && marker > 0 ? message[(marker + 3)..] : message).TrimEnd('.');
    }

    /// <summary>The device <paramref name="name"/> names (id first, then a unique description); a usage error naming the choices otherwise.</summary>
    public static string Choose(string option, string name, IReadOnlyList<AudioDeviceInfo> devices)
    {
        if (devices.FirstOrDefault(d => d.Id == name) is { } byId)
            return byId.Id;
        var byDescription = devices.Where(d => string.Equals(d.Description, name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (byDescription.Count == 1)
            return byDescription[0].Id;
        var what = byDescription.Count > 1 ? "names more than one device" : "is not a device here";
        throw new CliException(ExitCode.Usage,
            $"{option} '{Text.Escape(name)}' {what}; choose one of: {string.Join(", ", devices.Select(d => d.Id + (d.IsDefault ? " (default)" : "")))}. "
            + "See 'dialtone devices'.");
    }

    public AudioDeviceInfo? DefaultMicrophone => Microphones.FirstOrDefault(d => d.IsDefault);

    public AudioDeviceInfo? DefaultSpeaker => Speakers.FirstOrDefault(d => d.IsDefault);
}
