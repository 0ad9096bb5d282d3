using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Dialtone.Cli.Tests.Commands;

/// <summary>
/// Issue 11: every failure ends with the exit code docs/cli.md gives it and one line naming the
/// cause — no .NET type names, no other failure's wording, control characters escaped.
/// </summary>
public sealed class ExitCodeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dialtone-cli-exit-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string[] Call(string server, params string[] extra) =>
        ["call", "sip:bob@127.0.0.1", "--server", server, "--user", "sip:alice@127.0.0.1", "--no-view", "--no-audio", .. extra];

    private static void AssertOneCleanErrorLine(string output)
    {
        var errors = output.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, output);
        Assert.DoesNotContain("Exception", output);
        Assert.DoesNotContain("System.", output);
        Assert.DoesNotContain("Dialtone.", output);
    }

    [Fact]
    public async Task A_closed_tcp_port_is_an_unreachable_server()
    {
        var port = FreePort(SocketType.Stream, ProtocolType.Tcp);

        var (code, output) = await CliRun.RunAsync(Call($"sip:127.0.0.1:{port};transport=tcp"));

        Assert.True(code == (int)ExitCode.ServerUnreachable, output);
        Assert.Contains("Cannot reach the SIP server", output);
        AssertOneCleanErrorLine(output);
    }

    [Fact]
    public async Task Udp_to_nobody_is_an_unreachable_server_at_once_not_after_32_seconds()
    {
        var port = FreePort(SocketType.Dgram, ProtocolType.Udp);
        var clock = Stopwatch.StartNew();

        var (code, output) = await CliRun.RunAsync(Call($"sip:127.0.0.1:{port};transport=udp"));

        Assert.True(code == (int)ExitCode.ServerUnreachable, output);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed.TotalSeconds:0} s");
        Assert.Contains($"127.0.0.1:{port}", output);
        AssertOneCleanErrorLine(output);
    }

    [Theory]
    [InlineData("--turn", "turn:")]
    [InlineData("--turn", "stun:stun.example.com")]
    [InlineData("--stun", "stun:")]
    [InlineData("--stun", "stun:host:99999")]
    public async Task A_malformed_ice_server_is_a_usage_error(string option, string url)
    {
        var (code, output) = await CliRun.RunAsync(Call("ws://127.0.0.1:1/", option, url));

        Assert.True(code == (int)ExitCode.Usage, output);
        Assert.Contains($"{option} '{url}' is not a", output);
        AssertOneCleanErrorLine(output);
    }

    [Theory]
    [InlineData("--duration", "5000000")]
    [InlineData("--answer-timeout", "30d")]
    [InlineData("--duration", "25h")]
    public async Task Durations_beyond_a_day_are_refused_when_parsed(string option, string value)
    {
        var (code, output) = await CliRun.RunAsync(Call("ws://127.0.0.1:1/", option, value));

        Assert.True(code == (int)ExitCode.Usage, output);
        Assert.DoesNotContain("Parameter", output);
    }

    [Fact]
    public async Task Control_characters_in_an_address_are_shown_escaped()
    {
        var (code, output) = await CliRun.RunAsync(["call", "sip:bob@example.com\r\nX-Evil: 1", "--server", "ws://127.0.0.1:1/",
            "--user", "sip:alice@127.0.0.1\n", "--no-view", "--no-audio"]);

        Assert.True(code == (int)ExitCode.Usage, output);
        Assert.DoesNotContain("\r", output);
        Assert.Contains("\\r\\n", output);
    }

    [Theory]
    [InlineData("sip")]
    [InlineData("sip:")]
    public async Task A_user_that_is_barely_a_uri_is_a_usage_error(string user)
    {
        var (code, output) = await CliRun.RunAsync(["register", "--server", "ws://127.0.0.1:1/", "--user", user]);

        Assert.True(code == (int)ExitCode.Usage, output);
        AssertOneCleanErrorLine(output);
    }

    [Fact]
    public async Task Recording_into_a_folder_that_does_not_exist_is_a_usage_error_not_an_unreachable_server()
    {
        var path = Path.Combine(_folder, "missing", "call.wav");

        var (code, output) = await CliRun.RunAsync(Call("ws://127.0.0.1:1/", "--record", path));

        Assert.True(code == (int)ExitCode.Usage, output);
        Assert.Contains("does not exist", output);
        Assert.DoesNotContain("reach", output);
    }

    [Theory]
    [InlineData("""{ "server": 5 }""", "\"server\" (line 1) must be a string")]
    [InlineData("""{ "stun": "stun:x" }""", "\"stun\" (line 1) must be a list of strings")]
    [InlineData("""{ "verbose": "yes" }""", "\"verbose\" (line 1) must be true or false")]
    [InlineData("""{ "sever": "ws://x/" }""", "unknown setting \"sever\"")]
    public async Task Config_errors_speak_of_the_file_not_of_dotnet_types(string json, string explanation)
    {
        var path = Path.Combine(_folder, "bad.json");
        File.WriteAllText(path, json);

        var (code, output) = await CliRun.RunAsync(["register", "--config", path]);

        Assert.True(code == (int)ExitCode.Usage, output);
        Assert.Contains(explanation, output);
        AssertOneCleanErrorLine(output);
    }

    [Fact]
    public async Task A_long_error_stays_on_one_line()
    {
        var nowhere = "unix:" + Path.Combine(_folder, "no-sound-server-here-and-a-long-path-to-make-the-message-long", "native");

        var (code, output) = await CliRun.RunAsync(["call", "sip:bob@127.0.0.1", "--server", "ws://127.0.0.1:1/", "--user", "sip:alice@127.0.0.1"],
            name => name == "PULSE_SERVER" ? nowhere : null);

        Assert.True(code == (int)ExitCode.NoSoundDevice, output);
        var line = Assert.Single(output.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.True(line.Length > 120, line);
        Assert.Contains("--no-audio", line);
    }

    private static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
