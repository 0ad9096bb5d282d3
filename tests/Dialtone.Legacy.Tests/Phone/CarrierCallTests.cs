using System.Net;
using Dialtone.Legacy.Tests.Rtp;
using Dialtone.Phone;
using Dialtone.Phone.Media.Legacy;
using Dialtone.Server;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sdp;
using Dialtone.Tests.Shared;
using Dialtone.WebRtc;
using Dialtone.WebRtc.Rtp;

namespace Dialtone.Legacy.Tests.Phone;

/// <summary>
/// The seed's carrier INVITE (FreeSWITCH via Plivo: plain RTP/AVP PCMU/PCMA/G722 + telephone-event)
/// reaches a Dialtone user agent through the embedded server. The carrier's media is a plain RTP
/// session at the address its SDP names (moved to loopback). With unencrypted media allowed the call
/// is answered 200 with G.711 + telephone-event, and tones and DTMF flow both ways — through the
/// user agent's own device with AEC3 on.
/// </summary>
public sealed class CarrierCallTests : IAsyncLifetime
{
    private EmbeddedSipServer _server = null!;
    private UserAgent _bob = null!;
    private PeerConnectionFactory _carrierFactory = null!;
    private RtpSession _carrierMedia = null!;

    public async Task InitializeAsync()
    {
        _server = await EmbeddedSipServer.StartAsync();
        _bob = await UserAgent.StartAsync(new UserAgentOptions
        {
            Server = _server.WebSocketUri.ToString(),
            AddressOfRecord = SipUri.Parse($"sip:bob@{_server.Domain}"),
            Audio = new PeerConnectionFactoryOptions
            {
                AudioDevice = AudioDeviceKind.Virtual,
                AudioProcessing = new AudioProcessingOptions { NoiseSuppression = false, AutoGainControl = false },
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
        await _server.DisposeAsync();
    }

    private static async Task<bool> Eventually(Func<bool> condition, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition();
    }

    private static Task<bool> Hears(TonePump pump, double tone, double other) => Eventually(() =>
    {
        short[] heard = pump.Recent(24000);
        double wanted = heard.Length == 24000 ? TonePump.Amplitude(heard, tone) : 0;
        return wanted > 500 && wanted > 4 * TonePump.Amplitude(heard, other);
    });

    [Fact]
    public async Task TheSeedsCarrierInviteIsAnswered200WithG711AndTelephoneEvent_AudioAndDtmfBothWays()
    {
        var bobCall = new TaskCompletionSource<Call>(TaskCreationOptions.RunContinuationsAsynchronously);
        _bob.IncomingCall += async (_, e) =>
        {
            bobCall.TrySetResult(e.Call);
            await e.Call.AnswerAsync();
        };
        await using var carrier = await RawSipClient.ConnectAsync(_server.WebSocketUri, "carrier");

        var invite = (SipRequest)SipParser.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "plivo-invite.sip")));
        invite.RequestUri = SipUri.Parse($"sip:bob@{_server.Domain}");
        invite.Headers.Remove(SipHeaderNames.RecordRoute);
        invite.Headers.Remove(SipHeaderNames.Via);
        invite.PushVia(new SipVia("WS", carrier.Host, null, "z9hG4bKplivo2"));
        invite.Headers.Remove(SipHeaderNames.Contact);
        invite.Headers.Add(SipHeaderNames.Contact, carrier.Contact);
        string body = System.Text.Encoding.UTF8.GetString(invite.Body.Span)
            .Replace("191.201.61.52", "127.0.0.1", StringComparison.Ordinal)
            .Replace("m=audio 27706 ", $"m=audio {_carrierMedia.LocalRtpPort} ", StringComparison.Ordinal);
        invite.SetBody(System.Text.Encoding.UTF8.GetBytes(body), SipContentType.Parse("application/sdp"));
        await carrier.SendAsync(invite.ToString());

        SipResponse final;
        do
        {
            final = (SipResponse)await carrier.ReceiveAsync(TimeSpan.FromSeconds(20));
        }
        while (final.IsProvisional);

        Assert.Equal(200, final.StatusCode);
        string answerText = System.Text.Encoding.UTF8.GetString(final.Body.Span);
        var answer = SdpMessage.Parse(answerText);
        var audio = Assert.Single(answer.Media);
        Assert.Equal("RTP/AVP", audio.Protocol);
        Assert.Equal(["0", "8", "9", "101"], audio.Formats);
        Assert.Contains(audio.Codecs, c => c.IsTelephoneEvent && c.ClockRate == 8000);

        // ACK, then the carrier's media follows our answer.
        var ack = new SipRequest("ACK", SipUri.Parse(final.Headers[SipHeaderNames.Contact]!.Trim('<', '>').Split(';')[0]));
        foreach (var name in new[] { SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CallId })
        {
            ack.Headers.Add(name, final.Headers[name]!);
        }

        ack.Headers.Add(SipHeaderNames.CSeq, "72472445 ACK");
        ack.Headers.Add(SipHeaderNames.MaxForwards, "70");
        ack.PushVia(new SipVia("WS", carrier.Host, null, "z9hG4bKplivoack"));
        await carrier.SendAsync(ack.ToString());

        var pcmu = new RtpCodec(0, "PCMU", 8000);
        var te = new RtpCodec(101, "telephone-event", 8000, 1, "0-16");
        await _carrierMedia.ConfigureAsync(new RtpSessionConfiguration
        {
            RemoteAddress = IPAddress.Parse(answer.ConnectionFor(audio)!.Address),
            RemoteRtpPort = audio.Port,
            SendCodec = pcmu,
            SendTelephoneEvent = te,
            ReceiveCodecs = [pcmu, RtpCodec.Pcma, RtpCodec.G722, te],
        });

        var call = await bobCall.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(call.LegacyMedia);
        Assert.False(call.IsMediaEncrypted);
        await call.MediaConnected.WaitAsync(TimeSpan.FromSeconds(10));

        using var bobPump = new TonePump(_bob.MediaFactory.VirtualAudio!, 1000);
        using var carrierPump = new TonePump(_carrierFactory.VirtualAudio!, 600);
        Assert.True(await Hears(carrierPump, 1000, 600), "the carrier hears bob");
        Assert.True(await Hears(bobPump, 600, 1000), "bob hears the carrier");

        var bobDigits = new List<char>();
        call.DtmfReceived += (_, e) => { lock (bobDigits) { bobDigits.Add(e.Digit); } };
        var carrierDigits = new List<char>();
        _carrierMedia.DtmfReceived += (_, e) => { if (e.Ended) { lock (carrierDigits) { carrierDigits.Add(e.Tone!.Value); } } };
        await call.SendDtmfAsync("1#");
        _carrierMedia.SendDtmf("58");
        Assert.True(await Eventually(() => { lock (carrierDigits) { return carrierDigits.Count == 2; } }));
        Assert.True(await Eventually(() => { lock (bobDigits) { return bobDigits.Count == 2; } }));
        Assert.Equal("1#", new string([.. carrierDigits]));
        Assert.Equal("58", new string([.. bobDigits]));
    }
}
