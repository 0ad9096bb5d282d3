using System.CommandLine;

namespace Dialtone.Cli.Audio;

/// <summary>The sound options call and listen share: devices by name, no audio, a file to play and one to record.</summary>
internal sealed class AudioOptions(string playDescription, string recordDescription)
{
    public Option<string> Microphone { get; } = new("--microphone")
    {
        Description = "The microphone, by a name 'dialtone devices' lists (default: the sound server's default).",
        HelpName = "name",
    };

    public Option<string> Speaker { get; } = new("--speaker")
    {
        Description = "The speaker, by a name 'dialtone devices' lists (default: the sound server's default).",
        HelpName = "name",
    };

    public Option<bool> NoAudio { get; } = new("--no-audio")
    {
        Description = "No microphone or speaker: send silence, play nothing (without it, no sound server is exit code 7).",
    };

    public Option<string> Play { get; } = new("--play") { Description = playDescription, HelpName = "file.wav" };

    public Option<string> Record { get; } = new("--record") { Description = recordDescription, HelpName = "file.wav" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Microphone, Speaker, NoAudio, Play, Record })
            command.Options.Add(option);
    }

    public AudioRequest Read(ParseResult parse, CliHost host) => new()
    {
        Microphone = parse.GetValue(Microphone),
        Speaker = parse.GetValue(Speaker),
        NoAudio = parse.GetValue(NoAudio),
        Play = parse.GetValue(Play),
        Record = parse.GetValue(Record),
        Server = host.GetEnvironmentVariable(SoundDevices.ServerVariable) is { Length: > 0 } server ? server : null,
    };
}
