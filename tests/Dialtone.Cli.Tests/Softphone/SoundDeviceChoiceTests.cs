using Dialtone.WebRtc.Tests.Infrastructure;

namespace Dialtone.Cli.Tests.Softphone;

/// <summary><c>dialtone devices</c>, <c>--microphone</c>/<c>--speaker</c> and what happens without a sound server.</summary>
public sealed class SoundDeviceChoiceTests
{
    private static string[] Call(params string[] extra) =>
        ["call", "sip:bob@127.0.0.1", "--server", "ws://127.0.0.1:1/", "--user", "sip:alice@127.0.0.1", "--no-view", .. extra];

    [Fact]
    public async Task Devices_lists_microphones_and_speakers_with_the_defaults_marked()
    {
        using var sound = new PulseAudioServer();

        var (code, output) = await CliRun.RunAsync(["devices"], name => name == "PULSE_SERVER" ? sound.Server : null);

        Assert.True(code == 0, output);
        var microphones = output[..output.IndexOf("Speakers", StringComparison.Ordinal)];
        var speakers = output[output.IndexOf("Speakers", StringComparison.Ordinal)..];
        Assert.Contains($"* {PulseAudioServer.Source}", microphones);
        Assert.Contains("(default)", microphones);
        Assert.Contains($"* {PulseAudioServer.Sink}  Dialtone-test-speaker  (default)", speakers);
        Assert.Contains("  dt_tone  Dialtone-test-tone", speakers);
    }

    [Fact]
    public async Task A_device_that_does_not_exist_is_a_usage_error_naming_the_ones_that_do()
    {
        using var sound = new PulseAudioServer();

        var (code, output) = await CliRun.RunAsync(Call("--speaker", "no-such-speaker"), name => name == "PULSE_SERVER" ? sound.Server : null);

        Assert.True(code == (int)ExitCode.Usage, output);
        Assert.Contains("--speaker 'no-such-speaker' is not a device here", output);
        Assert.Contains($"{PulseAudioServer.Sink} (default)", output);
        Assert.Contains("dt_tone", output);
    }

    [Fact]
    public async Task A_device_can_be_chosen_by_its_description()
    {
        using var sound = new PulseAudioServer();

        // The device is accepted, so the run gets as far as the (closed) SIP server: exit code 4, not 2 or 7.
        var (code, output) = await CliRun.RunAsync(Call("--speaker", "Dialtone-test-tone", "--microphone", "dt_sink.monitor"),
            name => name == "PULSE_SERVER" ? sound.Server : null);

        Assert.True(code == (int)ExitCode.ServerUnreachable, output);
    }

    [Fact]
    public async Task Without_a_sound_server_call_says_so_with_exit_code_7_and_no_audio_goes_ahead()
    {
        var nowhere = "unix:" + Path.Combine(Path.GetTempPath(), $"dialtone-no-pulse-{Guid.NewGuid():N}", "native");

        var (code, output) = await CliRun.RunAsync(Call(), name => name == "PULSE_SERVER" ? nowhere : null);
        Assert.True(code == (int)ExitCode.NoSoundDevice, output);
        Assert.Contains("No sound server", output);
        Assert.Contains("--no-audio", output);
        Assert.DoesNotContain("Exception", output);

        (code, output) = await CliRun.RunAsync(Call("--no-audio"), name => name == "PULSE_SERVER" ? nowhere : null);
        Assert.True(code == (int)ExitCode.ServerUnreachable, output); // got past the audio to the (closed) server

        (code, output) = await CliRun.RunAsync(["devices"], name => name == "PULSE_SERVER" ? nowhere : null);
        Assert.True(code == (int)ExitCode.NoSoundDevice, output);
    }
}
