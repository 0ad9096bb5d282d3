using Dialtone.WebRtc.Tests.Infrastructure;
using Dialtone.WebRtc.Tests.Native;
using Xunit.Abstractions;

namespace Dialtone.WebRtc.Tests.Echo;

/// <summary>
/// AEC3 inside a call: A talks (espeak-ng speech into A's virtual microphone); at B the loudspeaker
/// output is fed back into B's microphone delayed and attenuated (a simulated echo path), plus a
/// little noise. With echo cancellation on in B's factory, A hears its own voice much fainter than
/// with it off — by at least the ERLE floor of <see cref="EchoCancellationTests"/>.
/// </summary>
[Collection(NativeCollection.Name)]
public sealed class EchoThroughCallTests(ITestOutputHelper output)
{
    private const int Rate = 48000;
    private const int EchoDelayMs = 100;
    private const double EchoGain = 0.5;           // -6 dB acoustic path
    private const double AttenuationFloorDb = 20;  // = EchoCancellationTests' ERLE floor

    [Fact]
    public async Task TheFarEndHearsItsOwnVoiceAttenuatedWhenTheOtherSideCancelsEcho()
    {
        short[] speech = SpeechSynthesizer.Speak(EchoScenario.FarVoice, EchoScenario.FarText, Rate);
        var echoOnly = AudioProcessingOptions.Disabled with { EchoCancellation = true };
        await using var call = await AudioCall.StartAsync(
            new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = AudioProcessingOptions.Disabled },
            new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = echoOnly });

        await using var room = new EchoRoom(call.CallerFactory.VirtualAudio!, call.CalleeFactory.VirtualAudio!, speech, EchoDelayMs, EchoGain);

        // AEC on (from the factory options): let it settle, then measure.
        await Task.Delay(TimeSpan.FromSeconds(3));
        double on = await room.ReturnGainDbAsync(TimeSpan.FromSeconds(6));

        // AEC off, switched mid-call.
        call.CalleeFactory.SetAudioProcessing(AudioProcessingOptions.Disabled);
        await Task.Delay(TimeSpan.FromSeconds(1));
        double off = await room.ReturnGainDbAsync(TimeSpan.FromSeconds(6));

        output.WriteLine($"A's own voice returned: {off:F1} dB with AEC off, {on:F1} dB with AEC on: attenuation {off - on:F1} dB");
        Assert.True(off > -20, $"without AEC the echo must come back loud ({off:F1} dB); the echo path is not working");
        Assert.True(off - on >= AttenuationFloorDb, $"AEC attenuated A's echo by only {off - on:F1} dB (off {off:F1} dB, on {on:F1} dB)");
    }
}
