using System.Net;
using Dialtone.WebRtc;
using Dialtone.WebRtc.Rtp;

namespace Dialtone.Legacy.Tests.Rtp;

/// <summary>Two managed RTP sessions in one process, each on its own factory and virtual device.</summary>
public sealed class RtpSessionTests : IAsyncLifetime
{
    private const double ToneA = 1000;
    private const double ToneB = 600;
    private static readonly RtpCodec TelephoneEvent = new(101, "telephone-event", 8000, 1, "0-16");
    private readonly List<IAsyncDisposable> cleanup = [];
    private PeerConnectionFactory factoryA = null!, factoryB = null!;
    private RtpSession a = null!, b = null!;

    public Task InitializeAsync()
    {
        var options = new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = AudioProcessingOptions.Disabled };
        factoryA = new PeerConnectionFactory(options);
        factoryB = new PeerConnectionFactory(options);
        var local = new RtpSessionOptions { LocalAddress = IPAddress.Loopback };
        a = RtpSession.Create(factoryA, local);
        b = RtpSession.Create(factoryB, local);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var d in cleanup)
        {
            await d.DisposeAsync();
        }

        await a.DisposeAsync();
        await b.DisposeAsync();
        factoryA.Dispose();
        factoryB.Dispose();
    }

    private static RtpSessionConfiguration Config(RtpSession peer, RtpCodec codec, SrtpKey? send = null, SrtpKey? receive = null) => new()
    {
        RemoteAddress = IPAddress.Loopback,
        RemoteRtpPort = peer.LocalRtpPort,
        RemoteRtcpPort = peer.LocalRtcpPort,
        SendCodec = codec,
        SendTelephoneEvent = TelephoneEvent,
        ReceiveCodecs = [codec, TelephoneEvent],
        SendKey = send,
        ReceiveKey = receive,
        RtcpReportInterval = TimeSpan.FromMilliseconds(500),
    };

    private static async Task<bool> Eventually(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
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
        if (heard.Length < 24000)
        {
            return false;
        }

        double wanted = TonePump.Amplitude(heard, tone);
        return wanted > 800 && wanted > 5 * TonePump.Amplitude(heard, other);
    }, TimeSpan.FromSeconds(20));

    [Fact]
    public async Task SdesCallCarriesATone_AndDtmfArrivesInOrder()
    {
        var keyA = SrtpKey.Generate(SrtpSuite.AesCm128HmacSha1_80);
        var keyB = SrtpKey.Generate(SrtpSuite.AesCm128HmacSha1_80);
        var events = new List<RtpDtmfEventArgs>();
        b.DtmfReceived += (_, e) =>
        {
            lock (events)
            {
                events.Add(e);
            }
        };
        await a.ConfigureAsync(Config(b, RtpCodec.Pcma, keyA, keyB));
        await b.ConfigureAsync(Config(a, RtpCodec.Pcma, keyB, keyA));
        using var pumpA = new TonePump(factoryA.VirtualAudio!, ToneA);
        using var pumpB = new TonePump(factoryB.VirtualAudio!, ToneB);

        Assert.True(await Hears(pumpB, ToneA, ToneB), "B hears A");
        Assert.True(await Hears(pumpA, ToneB, ToneA), "A hears B");

        a.SendDtmf("7#", TimeSpan.FromMilliseconds(120));
        Assert.True(await Eventually(() => { lock (events) { return events.Count >= 4; } }, TimeSpan.FromSeconds(10)));
        lock (events)
        {
            Assert.Equal(['7', '7', '#', '#'], events.Select(e => e.Tone!.Value));
            Assert.Equal([false, true, false, true], events.Select(e => e.Ended));
            Assert.InRange(events[1].Duration.TotalMilliseconds, 100, 200);
        }

        // 50 packets a second: wait (bounded) for a second's worth rather than reading the count once.
        Assert.True(await Eventually(() => b.GetStatistics().RtpPacketsReceived > 50, TimeSpan.FromSeconds(15)), "B received 50 packets");
        var stats = b.GetStatistics();
        Assert.Equal(0UL, stats.DroppedSrtp);
        Assert.Equal(a.GetStatistics().LocalSsrc, stats.RemoteSsrc);
        Assert.Equal(8, stats.SendPayloadType);
        Assert.True(await Eventually(() => a.GetStatistics().RoundTripTime is not null, TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task RtcpMuxCarriesRtcpOnTheRtpPort_SdesBothWays()
    {
        // rtcp-mux (RFC 5761): RTP and SRTCP share the RTP port; the RTCP reports still arrive and give a round trip.
        var keyA = SrtpKey.Generate(SrtpSuite.AesCm128HmacSha1_80);
        var keyB = SrtpKey.Generate(SrtpSuite.AesCm128HmacSha1_80);
        await a.ConfigureAsync(Config(b, RtpCodec.Pcmu, keyA, keyB) with { RtcpMux = true, RemoteRtcpPort = null });
        await b.ConfigureAsync(Config(a, RtpCodec.Pcmu, keyB, keyA) with { RtcpMux = true, RemoteRtcpPort = null });
        using var pumpA = new TonePump(factoryA.VirtualAudio!, ToneA);
        using var pumpB = new TonePump(factoryB.VirtualAudio!, ToneB);

        Assert.True(await Hears(pumpB, ToneA, ToneB), "B hears A");
        Assert.True(await Hears(pumpA, ToneB, ToneA), "A hears B");
        Assert.True(await Eventually(() => a.GetStatistics().RtcpPacketsReceived > 0 && b.GetStatistics().RtcpPacketsReceived > 0, TimeSpan.FromSeconds(15)), "RTCP both ways over the RTP port");
        Assert.True(await Eventually(() => a.GetStatistics().RoundTripTime is not null && b.GetStatistics().RoundTripTime is not null, TimeSpan.FromSeconds(15)), "round trip from muxed SR/RR");
        var stats = b.GetStatistics();
        Assert.Equal(0UL, stats.DroppedSrtp + stats.DroppedMalformed + stats.DroppedUnknownPayload);
    }

    [Fact]
    public async Task WrongKeysAreDroppedAndCounted()
    {
        await a.ConfigureAsync(Config(b, RtpCodec.Pcmu, SrtpKey.Generate(SrtpSuite.AesCm128HmacSha1_32), SrtpKey.Generate(SrtpSuite.AesCm128HmacSha1_32)));
        await b.ConfigureAsync(Config(a, RtpCodec.Pcmu, SrtpKey.Generate(SrtpSuite.AesCm128HmacSha1_32), SrtpKey.Generate(SrtpSuite.AesCm128HmacSha1_32)));
        using var pumpA = new TonePump(factoryA.VirtualAudio!, ToneA);
        Assert.True(await Eventually(() => b.GetStatistics().DroppedSrtp > 20, TimeSpan.FromSeconds(15)));
        Assert.Equal(0UL, b.GetStatistics().RtpPacketsReceived);
    }

    [Fact]
    public async Task RefusedConfigurationsThrowWithTheEnginesReason()
    {
        var amr = new RtpCodec(96, "AMR", 8000);
        var e = await Assert.ThrowsAsync<WebRtcException>(() => a.ConfigureAsync(Config(b, amr)));
        Assert.Contains("AMR", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => a.SendDtmf("x"));
        await Assert.ThrowsAsync<ArgumentException>(() => a.ConfigureAsync(Config(b, RtpCodec.Pcmu, SrtpKey.Generate(SrtpSuite.AesCm128HmacSha1_80))));
        Assert.Throws<ArgumentException>(() => new SrtpKey(SrtpSuite.AesCm128HmacSha1_80, new byte[16]));
        Assert.Equal(a.LocalRtpPort + 1, a.LocalRtcpPort);
        Assert.Equal(0, a.LocalRtpPort % 2);
    }
}
