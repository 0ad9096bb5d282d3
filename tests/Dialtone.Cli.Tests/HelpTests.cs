namespace Dialtone.Cli.Tests;

public sealed class HelpTests
{
    [Fact]
    public async Task Help_lists_every_command_with_examples_and_exit_codes()
    {
        var (code, output) = await CliRun.RunAsync(["--help"]);

        Assert.Equal(0, code);
        foreach (var command in new[] { "demo", "register", "call", "listen" })
            Assert.Contains(command, output);
        Assert.Contains("dialtone demo", output);
        Assert.Contains("Exit codes:", output);
        Assert.Contains("6  no answer", output);
    }

    [Fact]
    public async Task Call_help_explains_its_options()
    {
        var (code, output) = await CliRun.RunAsync(["call", "--help"]);

        Assert.Equal(0, code);
        foreach (var option in new[] { "<uri>", "--play", "--record", "--duration", "--dtmf", "--server", "--user", "--password-env", "--stun", "--turn", "--ca", "--config" })
            Assert.Contains(option, output);
        Assert.Contains("DIALTONE_PASSWORD", output);
        Assert.Contains("Examples:", output);
        Assert.Contains("--dtmf 12#", output);
    }

    [Fact]
    public async Task No_command_shows_the_help_and_a_usage_exit_code()
    {
        var (code, output) = await CliRun.RunAsync([]);

        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Contains("listen", output);
    }

    [Theory]
    [InlineData("call")] // the URI is missing
    [InlineData("demo", "--bogus")]
    [InlineData("call", "sip:bob@example.com", "--duration", "soon")]
    public async Task A_bad_command_line_is_a_usage_error(params string[] args)
    {
        var (code, output) = await CliRun.RunAsync(args);

        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Contains("error:", output);
    }
}
