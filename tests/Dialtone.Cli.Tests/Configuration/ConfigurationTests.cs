using System.CommandLine;
using Dialtone.Cli.Configuration;

namespace Dialtone.Cli.Tests.Configuration;

public sealed class ConfigurationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dialtone-cli-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string WriteConfig(string json)
    {
        var path = Path.Combine(_folder, "dialtone.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static CliSettings Read(params string[] args)
    {
        var options = new ConnectionOptions();
        var command = new RootCommand();
        options.AddTo(command);
        var parse = command.Parse(args);
        Assert.Empty(parse.Errors);
        return options.Read(parse);
    }

    [Fact]
    public void The_command_line_wins_over_the_file_and_the_file_fills_the_rest()
    {
        var path = WriteConfig("""
            {
              // comments are allowed
              "server": "wss://file.example.com/ws",
              "user": "sip:alice@example.com",
              "displayName": "Alice From File",
              "stun": ["stun:stun1.example.com", "stun:stun2.example.com"],
              "verbose": true,
            }
            """);

        var settings = Read("--config", path, "--server", "ws://cli.example.com:8080/", "--stun", "stun:cli.example.com");

        Assert.Equal("ws://cli.example.com:8080/", settings.Server);
        Assert.Equal("sip:alice@example.com", settings.User);
        Assert.Equal("Alice From File", settings.DisplayName);
        Assert.Equal(["stun:cli.example.com"], settings.Stun);
        Assert.True(settings.Verbose);
    }

    [Fact]
    public void Repeated_stun_options_are_all_kept()
    {
        var settings = Read("--stun", "stun:a.example.com", "--stun", "stun:b.example.com");

        Assert.Equal(["stun:a.example.com", "stun:b.example.com"], settings.Stun);
        Assert.Null(settings.Verbose);
    }

    [Fact]
    public void A_relative_ca_path_is_relative_to_the_config_file()
    {
        var settings = ConfigFile.Parse("""{ "ca": "certs/ca.pem" }""", Path.Combine(_folder, "dialtone.json"));

        Assert.Equal(Path.Combine(_folder, "certs", "ca.pem"), settings.Ca);
    }

    [Theory]
    [InlineData("""{ "sever": "wss://typo.example.com" }""", "sever")]
    [InlineData("""{ "password": "hunter2" }""", "passwordEnv")]
    [InlineData("""[ "not", "an", "object" ]""", "JSON object")]
    [InlineData("""{ "server": """, "not valid")]
    public void A_bad_config_file_is_a_usage_error_that_says_why(string json, string explanation)
    {
        var e = Assert.Throws<CliException>(() => ConfigFile.Parse(json, "dialtone.json"));

        Assert.Equal(ExitCode.Usage, e.Code);
        Assert.Contains(explanation, e.Message);
        Assert.DoesNotContain("hunter2", e.Message);
    }

    [Fact]
    public async Task A_missing_config_file_is_a_usage_error()
    {
        var (code, output) = await CliRun.RunAsync(["register", "--config", Path.Combine(_folder, "absent.json")]);

        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Contains("absent.json", output);
    }

    [Fact]
    public void The_password_comes_from_the_named_variable_and_nobody_is_prompted_without_a_terminal()
    {
        var host = CliHost.ForText(new StringWriter(), name => name == "MY_SIP_SECRET" ? "s3cret" : null);

        Assert.Equal("s3cret", Secrets.SipPassword(new CliSettings { PasswordEnv = "MY_SIP_SECRET" }, host, "sip:alice@example.com"));
        Assert.Null(Secrets.SipPassword(new CliSettings(), host, "sip:alice@example.com"));
    }

    [Fact]
    public void A_turn_password_variable_that_is_not_set_is_an_error()
    {
        var host = CliHost.ForText(new StringWriter());

        var e = Assert.Throws<CliException>(() => Secrets.TurnPassword(new CliSettings { TurnPasswordEnv = "NOPE_TURN" }, host));
        Assert.Equal(ExitCode.Usage, e.Code);
    }

    [Theory]
    [InlineData("2s", 2000)]
    [InlineData("2", 2000)]
    [InlineData("1500ms", 1500)]
    [InlineData("1.5m", 90000)]
    [InlineData("00:01:30", 90000)]
    public void Durations_read_as_people_write_them(string text, double milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(milliseconds, value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("")]
    [InlineData("-")]
    public void Nonsense_is_not_a_duration(string text) => Assert.False(Durations.TryParse(text, out _));
}
