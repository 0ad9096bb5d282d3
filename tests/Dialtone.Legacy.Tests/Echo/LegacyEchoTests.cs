using System.Net;
using Dialtone.Phone;
using Dialtone.Phone.Media.Legacy;
using Dialtone.Server;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sdp;
using Dialtone.WebRtc;
using Dialtone.WebRtc.Tests.Echo;
using Xunit.Abstractions;

namespace Dialtone.Legacy.Tests.Echo;

/// <summary>
/// AEC3 on a legacy call, measured by the echo test of WebRTC calls
/// (tests/Dialtone.WebRtc.Tests/Echo/EchoThroughCallTests.cs, whose <see cref="EchoRoom"/> and
/// speech this project links): alice talks (espeak-ng speech into her virtual microphone) on an
/// SDES-SRTP G.711 call through <c>UserAgent.CallAsync(target, MediaProfile.Sdes)</c>; at bob the
/// loudspeaker output goes back into the microphone 100 ms later at -6 dB, plus a little noise. With
/// echo cancellation on in bob's engine, alice hears her own voice much fainter than with it off.
/// </summary>
public sealed class LegacyEchoTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Rate = 48000;
    private const int EchoDelayMs = 100;
    private const double EchoGain = 0.5;           // -6 dB acoustic path, as for WebRTC calls
    // The WebRTC test's floor (its ERLE floor); measured here on a loaded machine: ~51 dB over
    // PCMU (echo off -7 dB, on -58 dB), so the floor is generous.
    private const double AttenuationFloorDb = 20;
    private EmbeddedSipServer server = null!;

    public async Task InitializeAsync() => server = await EmbeddedSipServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    private Task<UserAgent> StartAsync(string user, AudioProcessingOptions processing) => UserAgent.StartAsync(new UserAgentOptions
    {
        Server = server.WebSocketUri.ToString(),
        AddressOfRecord = SipUri.Parse($"sip:{user}@{server.Domain}"),
        Audio = new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = processing },
        LegacyMedia = new LegacyMediaOptions { LocalAddress = IPAddress.Loopback, MediaTimeout = null },
    });

    [Fact]
    public async Task TheFarEndHearsItsOwnVoiceAttenuatedWhenTheLegacyCalleeCancelsEcho()
    {
        short[] speech = SpeechSynthesizer.Speak(EchoScenario.FarVoice, EchoScenario.FarText, Rate);
        var echoOnly = AudioProcessingOptions.Disabled with { EchoCancellation = true };
        await using var alice = await StartAsync("alice", AudioProcessingOptions.Disabled);
        await using var bob = await StartAsync("bob", echoOnly);
        await bob.RegisterAsync();
        bob.IncomingCall += async (_, e) => await e.Call.AnswerAsync();

        var call = await alice.CallAsync($"sip:bob@{server.Domain}", MediaProfile.Sdes);
        await call.Established.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(MediaProfile.Sdes, call.LegacyMedia!.Profile);
        Assert.True(call.IsMediaEncrypted);

        await using (var room = new EchoRoom(alice.MediaFactory.VirtualAudio!, bob.MediaFactory.VirtualAudio!, speech, EchoDelayMs, EchoGain))
        {
            var result = await room.MeasureAttenuationAsync(
                on => bob.MediaFactory.SetAudioProcessing(on ? echoOnly : AudioProcessingOptions.Disabled),
                AttenuationFloorDb, window: TimeSpan.FromSeconds(4), bound: TimeSpan.FromSeconds(30));

            var stats = call.LegacyMedia.GetStatistics();
            output.WriteLine($"legacy call (payload type {stats.SendPayloadType}, SDES-SRTP): alice's own voice returned {result}; {stats.RtpPacketsReceived} packets received");
            Assert.True(result.OffDb > -20, $"without AEC the echo must come back loud ({result.OffDb:F1} dB); the echo path is not working");
            Assert.True(result.AttenuationDb >= AttenuationFloorDb, $"AEC attenuated alice's echo by only {result.AttenuationDb:F1} dB within 30 s: {result}");
        }

        await call.HangupAsync();
    }
}
