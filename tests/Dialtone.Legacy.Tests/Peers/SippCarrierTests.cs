using System.Net;
using Dialtone.Legacy.Tests.Phone;
using Dialtone.Legacy.Tests.Rtp;
using Dialtone.Phone;
using Dialtone.Phone.Media.Legacy;
using Dialtone.Sip.Auth;
using Dialtone.Sip.IntegrationTests.Infrastructure;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;
using Dialtone.WebRtc;

namespace Dialtone.Legacy.Tests.Peers;

/// <summary>
/// sipp as a carrier-like UAC (tests/infra/sipp/legacy-carrier-uac.xml): the seed's kind of plain
/// RTP/AVP offer through a real Kamailio over UDP to bob, a Dialtone user agent that allows
/// unencrypted media. sipp echoes bob's RTP back (-rtp_echo), so bob hearing his own tone proves
/// media both ways through sipp; sipp's RFC 2833 pcap reaches bob as digit 1; sipp hangs up.
/// Bob's echo canceller is off here: the echo is the measurement.
/// </summary>
[Collection(KamailioCollection.Name)]
public sealed class SippCarrierTests(KamailioFixture kamailio) : IAsyncLifetime
{
    private UserAgent _bob = null!;

    public async Task InitializeAsync()
    {
        _bob = await UserAgent.StartAsync(new UserAgentOptions
        {
            Server = $"sip:127.0.0.1:{kamailio.Server.SipPort};transport=udp",
            AddressOfRecord = SipUri.Parse($"sip:bob@{KamailioServer.Domain}"),
            Credentials = new SipCredentials("bob", KamailioServer.Passwords["bob"]),
            Audio = new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = AudioProcessingOptions.Disabled },
            LegacyMedia = new LegacyMediaOptions { AllowUnencryptedMedia = true, LocalAddress = IPAddress.Loopback, MediaTimeout = null },
        });
        await _bob.RegisterAsync();
    }

    public async Task DisposeAsync() => await _bob.DisposeAsync();

    [Fact]
    public async Task SippsCarrierInviteIsAnswered_EchoedAudioAndRfc2833DigitArrive_SippHangsUp()
    {
        var incoming = new TaskCompletionSource<Call>(TaskCreationOptions.RunContinuationsAsynchronously);
        var digits = new List<char>();
        _bob.IncomingCall += async (_, e) =>
        {
            e.Call.DtmfReceived += (_, d) => { lock (digits) { digits.Add(d.Digit); } };
            incoming.TrySetResult(e.Call);
            await e.Call.AnswerAsync();
        };
        using var pump = new TonePump(_bob.MediaFactory.VirtualAudio!, 1000);
        using var sipp = Sipp.StartClient("legacy-carrier-uac.xml", SipTransportKind.Udp, kamailio.Server.SipPort, 1,
            "-s", "bob", "-key", "domain", KamailioServer.Domain, "-mi", "127.0.0.1", "-mp", FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture), "-rtp_echo");

        var call = await sipp.ExplainFailure(incoming.Task.WaitAsync(TimeSpan.FromSeconds(20)));
        await call.Established.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(call.IsMediaEncrypted);
        Assert.Equal("PCMU", call.LegacyMedia!.Negotiated!.SendCodec.Name);
        Assert.True(await Tones.EventuallyAsync(() =>
        {
            short[] heard = pump.Recent(24000);
            return heard.Length == 24000 && TonePump.Amplitude(heard, 1000) > 500;
        }, seconds: 5), "bob hears his tone echoed by sipp");
        Assert.True(await Tones.EventuallyAsync(() => { lock (digits) { return digits.Contains('1'); } }, seconds: 10), "sipp's RFC 2833 digit 1 arrived\n" + sipp.MessageLog);

        var end = await call.Ended.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(CallEndReason.RemoteHangup, end.Reason);
        await sipp.AssertSucceededAsync();
    }
}
