using System.Net;
using Dialtone.Interop.Tests.Infrastructure;
using Dialtone.Interop.Tests.Servers;
using Dialtone.Phone;
using Dialtone.Phone.Audio;
using Dialtone.Phone.Media.Legacy;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sdp;
using Dialtone.WebRtc;
using Xunit.Abstractions;

namespace Dialtone.Interop.Tests;

/// <summary>
/// Issue 10: one Dialtone process holds a WebRTC call from a browser (JsSIP in Chromium) and an
/// SDES-SRTP call (RTP/SAVP, no ICE, no DTLS) to a legacy peer at the same time, on one engine and
/// one audio device: both peers hear Dialtone's tone, and Dialtone hears both peers mixed. The legacy
/// peer is a second Dialtone user agent answering on the legacy path (its own engine and device).
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class BrowserBesideLegacyCallTests(InteropEnvironment browser, ITestOutputHelper output) : IAsyncLifetime
{
    private const double DialtoneSaysHz = 1000;
    private const double LegacyPeerSaysHz = 1400;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ToneLength = TimeSpan.FromMilliseconds(500);
    private IInteropServer server = null!;

    private SipServerEndpoint Server => server.Endpoint;

    public async Task InitializeAsync() => server = await EmbeddedInteropServer.StartAsync(tls: null);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private async Task<UserAgent> StartAgentAsync(string user)
    {
        var agent = await UserAgent.StartAsync(new UserAgentOptions
        {
            Server = Server.WebSocketUri.ToString(),
            AddressOfRecord = SipUri.Parse(Server.UriOf(user)),
            Audio = new PeerConnectionFactoryOptions
            {
                AudioDevice = AudioDeviceKind.Virtual,
                AudioProcessing = new AudioProcessingOptions { NoiseSuppression = false, AutoGainControl = false },
            },
            // SDES calls are taken and made; RTP on loopback (the test's only network).
            LegacyMedia = new LegacyMediaOptions { LocalAddress = IPAddress.Loopback, MediaTimeout = null },
        });
        await agent.RegisterAsync();
        return agent;
    }

    [Fact]
    public async Task A_browser_call_and_an_SDES_call_in_one_process_each_peer_hears_Dialtone_and_Dialtone_hears_both()
    {
        await using var dialtone = await StartAgentAsync(Server.Dialtone.User);
        await using var legacyPeer = await StartAgentAsync("carol");
        legacyPeer.IncomingCall += async (_, e) => await e.Call.AnswerAsync();
        await using var legacyPeerProbe = new ToneProbe(legacyPeer.MediaFactory.VirtualAudio!, LegacyPeerSaysHz, DialtoneSaysHz);

        // Dialtone says one tone and listens for two at once: each peer's tone is about half of
        // what it hears, so a tone counts when it carries a fifth of a frame's energy.
        var rate = dialtone.MediaFactory.VirtualAudio!.SampleRate;
        var hearsBrowser = new ToneMeter(InteropEnvironment.BrowserSaysHz, rate, threshold: 0.2);
        var hearsLegacyPeer = new ToneMeter(LegacyPeerSaysHz, rate, threshold: 0.2);
        var voice = new ToneGenerator(DialtoneSaysHz, rate);
        await using var pump = new AudioPump(dialtone.MediaFactory.VirtualAudio!, voice.Fill, frame =>
        {
            hearsBrowser.Process(frame);
            hearsLegacyPeer.Process(frame);
        });

        var phone = await browser.OpenPhoneAsync(Server, Server.Browser, listenHz: DialtoneSaysHz);
        await using var _ = phone;
        try
        {
            // The browser calls Dialtone (WebRTC) ...
            var incoming = new TaskCompletionSource<Call>(TaskCreationOptions.RunContinuationsAsynchronously);
            dialtone.IncomingCall += (_, e) => incoming.TrySetResult(e.Call);
            await phone.CallAsync(Server.UriOf(Server.Dialtone.User));
            var fromBrowser = await incoming.Task.WaitAsync(Generous);
            await fromBrowser.AnswerAsync().WaitAsync(Generous);
            await phone.WaitForStateAsync("established", Generous);

            // ... and, while that call is up, Dialtone calls the legacy peer with SDES-SRTP.
            var toLegacyPeer = await dialtone.CallAsync(Server.UriOf("carol"), MediaProfile.Sdes);
            await toLegacyPeer.Established.WaitAsync(Generous);

            Assert.Equal(2, dialtone.Calls.Count);
            Assert.Null(fromBrowser.LegacyMedia);
            Assert.NotNull(fromBrowser.PeerConnection);
            Assert.Equal(MediaProfile.Sdes, toLegacyPeer.LegacyMedia!.Profile);
            Assert.True(fromBrowser.IsMediaEncrypted && toLegacyPeer.IsMediaEncrypted);

            await phone.WaitToHearToneAsync(ToneLength, Generous);
            Assert.True(await legacyPeerProbe.HearsToneAsync(ToneLength, Generous), "the legacy peer did not hear Dialtone's tone");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!(hearsBrowser.Heard(ToneLength) && hearsLegacyPeer.Heard(ToneLength)) && clock.Elapsed < Generous)
                await Task.Delay(20);
            output.WriteLine($"Dialtone heard the browser in {hearsBrowser.ToneFrames} and the legacy peer in {hearsLegacyPeer.ToneFrames} of {hearsBrowser.Frames} frames");
            Assert.True(hearsBrowser.Heard(ToneLength), $"Dialtone did not hear the browser's {InteropEnvironment.BrowserSaysHz} Hz tone beside the legacy call");
            Assert.True(hearsLegacyPeer.Heard(ToneLength), $"Dialtone did not hear the legacy peer's {LegacyPeerSaysHz} Hz tone beside the browser call");

            var legacy = toLegacyPeer.LegacyMedia.GetStatistics();
            Assert.True(legacy.RtpPacketsReceived > 0 && legacy.RtpPacketsSent > 0);
            Assert.Equal(0UL, legacy.DroppedSrtp);
            var (received, sent) = await phone.PacketsAsync();
            Assert.True(received > 0 && sent > 0, $"browser RTP: {received} received, {sent} sent");

            await toLegacyPeer.HangupAsync();
            await phone.HangupAsync();
            Assert.Equal(CallEndReason.RemoteHangup, (await fromBrowser.Ended.WaitAsync(Generous)).Reason);
        }
        catch
        {
            output.WriteLine(await phone.DescribeAsync());
            throw;
        }
    }
}
