namespace Dialtone.Cli.Tests;

/// <summary>The README's first command, run in-process the way CI runs it (no terminal, so plain lines).</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task The_demo_hears_audio_both_ways_dtmf_and_hold_and_exits_0()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (code, output) = await CliRun.RunAsync(["demo", "--no-view"]);

        Assert.True(code == 0, output);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(45), $"the demo took {clock.Elapsed}");
        Assert.Contains("registered as sip:alice@", output);
        Assert.Contains("bob hears alice's 1000 Hz tone", output);
        Assert.Contains("alice hears bob's 1600 Hz tone", output);
        Assert.Contains("bob hears the DTMF digits 159#", output);
        Assert.Contains("\"159#\" as RFC 4733 events", output);
        Assert.Equal(5, CountOf(output, "PASS"));
        Assert.DoesNotContain("FAIL", output);
        Assert.Contains("opus", output);
        Assert.Contains("Exit code 0.", output);
    }

    private static int CountOf(string text, string word) => text.Split(word).Length - 1;
}
