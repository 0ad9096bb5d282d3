using System.Net;
using System.Text;
using Dialtone.Legacy.Tests.Phone;
using Dialtone.Legacy.Tests.Rtp;
using Dialtone.Phone;
using Dialtone.Phone.Media.Legacy;
using Dialtone.Sip.Auth;
using Dialtone.Sip.IntegrationTests.Infrastructure;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sdp;
using Dialtone.Sip.Transport;
using Dialtone.WebRtc;
using Dialtone.WebRtc.Rtp;

namespace Dialtone.Legacy.Tests.Peers;

/// <summary>
/// The seed's story end to end over SIP/TLS: the carrier's INVITE (FreeSWITCH via Plivo, plain
/// RTP/AVP PCMU/PCMA/G722 + telephone-event) arrives over TLS at a real Kamailio for bob, a Dialtone
/// user agent registered over SIP/TLS (test CA) that allows unencrypted media. Bob answers 200 with
/// G.711 + telephone-event; the carrier's media (an RTP session at the address its SDP names,
/// moved to loopback) and bob hear each other's tones with bob's AEC3 on.
/// </summary>
[Collection(KamailioCollection.Name)]
public sealed class CarrierOverTlsTests(KamailioFixture kamailio) : IAsyncLifetime
{
    private UserAgent _bob = null!;
    private PeerConnectionFactory _carrierFactory = null!;
    private RtpSession _carrierMedia = null!;

    public async Task InitializeAsync()
    {
        _bob = await UserAgent.StartAsync(new UserAgentOptions
        {
            Server = $"sip:localhost:{kamailio.Server.TlsPort};transport=tls",
            Tls = new SipTlsOptions { TrustedRootCertificates = [kamailio.Server.CaCertificate] },
            AddressOfRecord = SipUri.Parse($"sip:bob@{KamailioServer.Domain}"),
            Credentials = new SipCredentials("bob", KamailioServer.Passwords["bob"]),
            Audio = new PeerConnectionFactoryOptions
            {
                AudioDevice = AudioDeviceKind.Virtual,
                AudioProcessing = new AudioProcessingOptions { EchoCancellation = true, NoiseSuppression = false, AutoGainControl = false },
            },
            LegacyMedia = new LegacyMediaOptions { AllowUnencryptedMedia = true, LocalAddress = IPAddress.Loopback, MediaTimeout = null },
        });
        await _bob.RegisterAsync();
        _carrierFactory = new PeerConnectionFactory(new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = AudioProcessingOptions.Disabled });
        _carrierMedia = RtpSession.Create(_carrierFactory, new RtpSessionOptions { LocalAddress = IPAddress.Loopback });
    }

    public async Task DisposeAsync()
    {
        await _bob.DisposeAsync();
        await _carrierMedia.DisposeAsync();
        _carrierFactory.Dispose();
    }

    [Fact]
    public async Task TheSeedsCarrierInviteOverTlsIsAnswered200_AudioBothWays()
    {
        var bobCall = new TaskCompletionSource<Call>(TaskCreationOptions.RunContinuationsAsynchronously);
        _bob.IncomingCall += async (_, e) =>
        {
            bobCall.TrySetResult(e.Call);
            await e.Call.AnswerAsync();
        };
        await using var carrier = await TlsCarrier.ConnectAsync(kamailio.Server.TlsPort, kamailio.Server.CaCertificate);

        var invite = (SipRequest)SipParser.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "plivo-invite.sip")));
        invite.RequestUri = SipUri.Parse($"sip:bob@{KamailioServer.Domain}");
        invite.Headers.Remove(SipHeaderNames.RecordRoute);
        invite.Headers.Remove(SipHeaderNames.Via);
        invite.PushVia(new SipVia("TLS", "carrier.invalid", null, "z9hG4bKplivoTls2"));
        string body = Encoding.UTF8.GetString(invite.Body.Span)
            .Replace("191.201.61.52", "127.0.0.1", StringComparison.Ordinal)
            .Replace("m=audio 27706 ", $"m=audio {_carrierMedia.LocalRtpPort} ", StringComparison.Ordinal);
        invite.SetBody(Encoding.UTF8.GetBytes(body), SipContentType.Parse("application/sdp"));
        await carrier.SendAsync(invite);

        SipResponse final;
        do
        {
            final = (SipResponse)await carrier.ReceiveAsync(TimeSpan.FromSeconds(20));
        }
        while (final.IsProvisional);

        Assert.Equal(200, final.StatusCode);
        var answer = SdpMessage.Parse(Encoding.UTF8.GetString(final.Body.Span));
        var audio = Assert.Single(answer.Media);
        Assert.Equal("RTP/AVP", audio.Protocol);
        Assert.Contains(audio.Formats[0], new[] { "0", "8" });
        Assert.Contains(audio.Codecs, c => c.IsTelephoneEvent && c.ClockRate == 8000);

        // ACK through the route set the 200 recorded (RFC 3261 §12.1.2: Record-Route reversed).
        var ack = new SipRequest("ACK", SipUri.Parse(final.Headers[SipHeaderNames.Contact]!.Trim().TrimStart('<').Split('>')[0]));
        foreach (var route in final.Headers.Values(SipHeaderNames.RecordRoute).Reverse())
        {
            ack.Headers.Add(SipHeaderNames.Route, route);
        }

        foreach (var name in new[] { SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CallId })
        {
            ack.Headers.Add(name, final.Headers[name]!);
        }

        ack.Headers.Add(SipHeaderNames.CSeq, $"{final.Headers[SipHeaderNames.CSeq]!.Split(' ')[0]} ACK");
        ack.Headers.Add(SipHeaderNames.MaxForwards, "70");
        ack.PushVia(new SipVia("TLS", "carrier.invalid", null, "z9hG4bKplivoTlsAck"));
        await carrier.SendAsync(ack);

        var pcmu = new RtpCodec(0, "PCMU", 8000);
        var te = new RtpCodec(101, "telephone-event", 8000, 1, "0-16");
        await _carrierMedia.ConfigureAsync(new RtpSessionConfiguration
        {
            RemoteAddress = IPAddress.Parse(answer.ConnectionFor(audio)!.Address),
            RemoteRtpPort = audio.Port,
            SendCodec = audio.Formats[0] == "8" ? RtpCodec.Pcma : pcmu,
            SendTelephoneEvent = te,
            ReceiveCodecs = [pcmu, RtpCodec.Pcma, RtpCodec.G722, te],
        });

        var call = await bobCall.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(call.IsMediaEncrypted);
        await call.MediaConnected.WaitAsync(TimeSpan.FromSeconds(10));
        using var bobPump = new TonePump(_bob.MediaFactory.VirtualAudio!, 1000);
        using var carrierPump = new TonePump(_carrierFactory.VirtualAudio!, 600);
        Assert.True(await Tones.HearsAsync(carrierPump, 1000, 600), "the carrier hears bob");
        Assert.True(await Tones.HearsAsync(bobPump, 600, 1000), "bob hears the carrier");

        var carrierDigits = new List<char>();
        _carrierMedia.DtmfReceived += (_, e) => { if (e.Ended) { lock (carrierDigits) { carrierDigits.Add(e.Tone!.Value); } } };
        await call.SendDtmfAsync("4");
        Assert.True(await Tones.EventuallyAsync(() => { lock (carrierDigits) { return carrierDigits.Contains('4'); } }));
        await call.HangupAsync();
    }
}
