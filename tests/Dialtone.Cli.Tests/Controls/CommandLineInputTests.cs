using Dialtone.Cli.Controls;
using Dialtone.WebRtc;

namespace Dialtone.Cli.Tests.Controls;

public sealed class CommandLineInputTests
{
    [Fact]
    public void Lines_name_the_same_controls_as_the_keys()
    {
        Assert.IsType<Answer>(CommandLineInput.Parse("answer"));
        Assert.IsType<Reject>(CommandLineInput.Parse(" Reject "));
        Assert.IsType<Hangup>(CommandLineInput.Parse("hangup"));
        Assert.Equal(new Mute(true), CommandLineInput.Parse("mute"));
        Assert.Equal(new Mute(false), CommandLineInput.Parse("unmute"));
        Assert.Equal(new Hold(true), CommandLineInput.Parse("hold"));
        Assert.Equal(new Hold(false), CommandLineInput.Parse("resume"));
        Assert.Equal(new Digits("12#*A"), CommandLineInput.Parse("dtmf 12#*a"));
        Assert.Equal(new Transfer("sip:carol@example.com"), CommandLineInput.Parse("transfer sip:carol@example.com"));
        Assert.Equal(new Volume(AudioDeviceDirection.Output, 0.5, false), CommandLineInput.Parse("speaker 50"));
        Assert.Equal(new Volume(AudioDeviceDirection.Input, 0.25, false), CommandLineInput.Parse("mic 25%"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("# a comment")]
    public void Blank_and_comment_lines_are_ignored(string line) => Assert.Null(CommandLineInput.Parse(line));

    [Theory]
    [InlineData("dtmf")]
    [InlineData("dtmf 12x")]
    [InlineData("speaker 150")]
    [InlineData("transfer")]
    [InlineData("mute now")]
    [InlineData("dance")]
    public void Anything_else_is_unknown_and_said_back(string line) => Assert.IsType<Unknown>(CommandLineInput.Parse(line));
}
