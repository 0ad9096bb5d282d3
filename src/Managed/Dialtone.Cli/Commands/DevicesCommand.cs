using System.CommandLine;
using Dialtone.Cli.Audio;
using Dialtone.WebRtc;
using Spectre.Console;

namespace Dialtone.Cli.Commands;

/// <summary><c>dialtone devices</c>: the sound server's microphones and speakers, by the names --microphone and --speaker take.</summary>
internal static class DevicesCommand
{
    public const string Examples = """
        Examples:
          dialtone devices
          dialtone call sip:bob@example.com -c alice.json --microphone alsa_input.usb-Headset-00.mono-fallback --speaker "Headset Analog Stereo"
          PULSE_SERVER=unix:/run/user/1000/pulse/native dialtone devices
        """;

    public static Command Create(CliHost host)
    {
        var command = new Command("devices",
            "List the microphones and speakers of the sound server (PulseAudio or PipeWire), the default ones marked; "
            + "--microphone and --speaker take the name (or the description). Exit code 7 when there is no sound server.");
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(host, () => Task.FromResult(Run(host))));
        return command;
    }

    private static int Run(CliHost host)
    {
        var server = host.GetEnvironmentVariable(SoundDevices.ServerVariable) is { Length: > 0 } s ? s : null;
        var devices = SoundDevices.Query(server);
        Write(host, "Microphones (--microphone)", devices.Microphones);
        host.Console.WriteLine();
        Write(host, "Speakers (--speaker)", devices.Speakers);
        return (int)ExitCode.Ok;
    }

    private static void Write(CliHost host, string title, IReadOnlyList<AudioDeviceInfo> devices)
    {
        host.Console.MarkupLine($"[bold]{title}[/]");
        if (devices.Count == 0)
            host.Console.MarkupLine("  [grey](none)[/]");
        foreach (var device in devices)
        {
            var notes = device.IsDefault ? "  [green](default)[/]" : "";
            if (device.Id.EndsWith(".monitor", StringComparison.Ordinal))
                notes += "  [grey](what a speaker plays)[/]";
            host.Console.MarkupLine($"  {(device.IsDefault ? "*" : " ")} {Markup.Escape(device.Id)}  {Markup.Escape(device.Description)}{notes}");
        }
    }
}
