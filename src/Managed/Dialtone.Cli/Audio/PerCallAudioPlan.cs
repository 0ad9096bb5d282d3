using Dialtone.Phone;
using Dialtone.WebRtc;

namespace Dialtone.Cli.Audio;

/// <summary>
/// The audio of <c>listen --max-calls</c>: no device, each call with its own audio
/// (<see cref="AudioDeviceKind.PerCall"/>) — <c>--play</c> plays the file to every caller from its
/// start (looping), <c>--record</c> names a folder that gets one WAV file per call of what that
/// caller said. Checked before anything connects, so a wrong path is a usage error, not a failed call.
/// </summary>
internal sealed class PerCallAudioPlan
{
    private int _recorded;

    private PerCallAudioPlan(string? play, string? recordFolder)
    {
        Play = play;
        RecordFolder = recordFolder;
    }

    /// <summary>The WAV file played to each caller; null: callers hear silence.</summary>
    public string? Play { get; }

    /// <summary>The folder for one recording per call; null: nothing is recorded.</summary>
    public string? RecordFolder { get; }

    /// <summary>For the log: what callers hear and where they are recorded.</summary>
    public string Description =>
        (Play is null ? "callers hear silence" : $"playing {Path.GetFileName(Play)} to each caller")
        + (RecordFolder is null ? "" : $", recording each call to {RecordFolder}");

    public static PerCallAudioPlan Plan(AudioRequest request)
    {
        if (request.Microphone is not null || request.Speaker is not null)
            throw new CliException(ExitCode.Usage,
                "--max-calls gives each call its own audio and uses no microphone or speaker; drop --microphone/--speaker (play a file to callers with --play).");
        string? play = null;
        if (request.Play is { } file)
        {
            if (!File.Exists(file))
                throw new CliException(ExitCode.Usage, $"--play: '{Text.Escape(file)}' does not exist.");
            WavFormat.Read(file).EnsurePlayable(file);
            play = Path.GetFullPath(file);
        }
        return new PerCallAudioPlan(play, request.Record is { } folder ? CheckFolder(folder) : null);
    }

    /// <summary>The engine options: no device; calls' own sources and sinks.</summary>
    public static PeerConnectionFactoryOptions EngineOptions { get; } = new() { AudioDevice = AudioDeviceKind.PerCall };

    /// <summary>Starts recording what the caller says in <paramref name="call"/> (call <paramref name="number"/> of this run); null without --record.</summary>
    public CallAudioSink? Record(Call call, int number)
    {
        if (RecordFolder is null)
            return null;
        Interlocked.Increment(ref _recorded);
        var who = call.RemoteIdentity.Uri is Sip.Message.SipUri { User: { Length: > 0 } user } ? user : "caller";
        var name = $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-call{number}-{Safe(who)}.wav";
        return call.Audio.Record(Path.Combine(RecordFolder, name));
    }

    private static string CheckFolder(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (File.Exists(full))
            throw new CliException(ExitCode.Usage, $"--record with --max-calls takes a folder (one WAV file per call); '{Text.Escape(folder)}' is a file.");
        if (!Directory.Exists(full))
            throw new CliException(ExitCode.Usage, $"--record: the folder '{Text.Escape(folder)}' does not exist.");
        var probe = Path.Combine(full, $".dialtone-write-check-{Guid.NewGuid():N}");
        try
        {
            // Calls must not fail one by one later because the folder is read-only.
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCode.Usage, $"--record: cannot write in '{Text.Escape(folder)}': {e.Message}", e);
        }
        return full;
    }

    private static string Safe(string text) =>
        string.Concat(text.Take(40).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
}
