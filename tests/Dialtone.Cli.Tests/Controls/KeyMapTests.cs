using Dialtone.Cli.Controls;
using Dialtone.WebRtc;

namespace Dialtone.Cli.Tests.Controls;

public sealed class KeyMapTests
{
    private static ConsoleKeyInfo Key(char c, ConsoleKey key = 0) => new(c, key, false, false, false);

    [Theory]
    [InlineData('a', typeof(Answer))]
    [InlineData('r', typeof(Reject))]
    [InlineData('h', typeof(Hangup))]
    [InlineData('m', typeof(Mute))]
    [InlineData('p', typeof(Hold))]
    [InlineData('7', typeof(Digits))]
    [InlineData('#', typeof(Digits))]
    [InlineData('+', typeof(Volume))]
    [InlineData('<', typeof(Volume))]
    public void Each_key_has_its_control(char c, Type expected) => Assert.IsType(expected, new KeyMap().Handle(Key(c)));

    [Fact]
    public void Volume_keys_step_speaker_and_microphone_both_ways()
    {
        var keys = new KeyMap();
        Assert.Equal(new Volume(AudioDeviceDirection.Output, 0.1, true), keys.Handle(Key('+')));
        Assert.Equal(new Volume(AudioDeviceDirection.Output, -0.1, true), keys.Handle(Key('-')));
        Assert.Equal(new Volume(AudioDeviceDirection.Input, 0.1, true), keys.Handle(Key('>')));
        Assert.Equal(new Volume(AudioDeviceDirection.Input, -0.1, true), keys.Handle(Key('<')));
    }

    [Fact]
    public void T_types_a_transfer_address_until_enter_and_esc_abandons_it()
    {
        var keys = new KeyMap();
        Assert.Null(keys.Handle(Key('t')));
        Assert.Equal("sip:", keys.Typing);
        foreach (var c in "carol@example.comx")
            Assert.Null(keys.Handle(Key(c))); // keys are text now, h and m included
        keys.Handle(Key('\b', ConsoleKey.Backspace));
        Assert.Equal(new Transfer("sip:carol@example.com"), keys.Handle(Key('\r', ConsoleKey.Enter)));
        Assert.Null(keys.Typing);

        keys.Handle(Key('t'));
        keys.Handle(Key('x'));
        Assert.Null(keys.Handle(Key('\u001b', ConsoleKey.Escape)));
        Assert.Null(keys.Typing);
        Assert.IsType<Hangup>(keys.Handle(Key('h')));
    }
}
