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

        var result = await room.MeasureAttenuationAsync(
            on => call.CalleeFactory.SetAudioProcessing(on ? echoOnly : AudioProcessingOptions.Disabled),
            AttenuationFloorDb, window: TimeSpan.FromSeconds(4), bound: TimeSpan.FromSeconds(30));

        output.WriteLine($"A's own voice returned: {result}");
        Assert.True(result.OffDb > -20, $"without AEC the echo must come back loud ({result.OffDb:F1} dB); the echo path is not working");
        Assert.True(result.AttenuationDb >= AttenuationFloorDb, $"AEC attenuated A's echo by only {result.AttenuationDb:F1} dB within 30 s: {result}");
    }
}
