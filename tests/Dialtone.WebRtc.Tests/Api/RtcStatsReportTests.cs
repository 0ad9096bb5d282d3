using System.Text.Json;

namespace Dialtone.WebRtc.Tests.Api;

/// <summary>
/// The stats parser on a report captured from a real loopback call through this shim
/// (TestData/stats-caller.json: the caller's getStats after ~6 s of Opus audio).
/// </summary>
public sealed class RtcStatsReportTests
{
    private static readonly string Sample = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Api", "TestData", "stats-caller.json"));

    [Fact]
    public void TypedViewsReadTheCommonStats()
    {
        var report = RtcStatsReport.Parse(Sample);

        var outbound = Assert.Single(report.OutboundRtp);
        Assert.Equal("audio", outbound.Kind);
        Assert.Equal(377, outbound.PacketsSent);
        Assert.Equal(13051, outbound.BytesSent);
        Assert.Equal(2438839943, outbound.Ssrc);
        Assert.Equal("audio/opus", report.CodecOf(outbound)?.MimeType);
        Assert.Equal(48000, report.CodecOf(outbound)?.ClockRate);
        Assert.Equal(2, report.CodecOf(outbound)?.Channels);

        var inbound = Assert.Single(report.InboundRtp);
        Assert.Equal(377, inbound.PacketsReceived);
        Assert.Equal(0, inbound.PacketsLost);
        Assert.Equal(0.0, inbound.Jitter);
        Assert.Equal(3.051850947599719e-05, inbound.AudioLevel);
        Assert.Equal(3240, inbound.ConcealedSamples);

        var remote = Assert.Single(report.RemoteInboundRtp);
        Assert.Equal(0.001, remote.RoundTripTime);
        Assert.Equal(0.0, remote.FractionLost);

        var pair = report.SelectedCandidatePair;
        Assert.NotNull(pair);
        Assert.Equal("CPbodO12UL_E0A5+DZh", pair.Id);
        Assert.Equal("succeeded", pair.State);
        Assert.True(pair.Nominated);
        Assert.NotNull(pair.CurrentRoundTripTime);
        Assert.Equal(2, report.CandidatePairs.Count());
    }

    [Fact]
    public void EveryObjectStaysReachableRaw()
    {
        var report = RtcStatsReport.Parse(Sample);
        using var doc = JsonDocument.Parse(Sample);
        Assert.Equal(doc.RootElement.GetArrayLength(), report.ById.Count);
        var transport = Assert.Single(report.OfType("transport"));
        Assert.Equal("AES_CM_128_HMAC_SHA1_80", transport.GetString("srtpCipher"));
        Assert.Equal("connected", transport.Raw.GetProperty("dtlsState").GetString());
        Assert.Equal(Sample, report.Json);
    }

    [Fact]
    public void ObjectKeyedByIdIsAcceptedToo()
    {
        const string json = """{"C1":{"id":"C1","type":"codec","timestamp":1,"mimeType":"audio/PCMU","payloadType":0,"clockRate":8000}}""";
        var codec = Assert.Single(RtcStatsReport.Parse(json).Codecs);
        Assert.Equal("audio/PCMU", codec.MimeType);
        Assert.Equal(0, codec.PayloadType);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("[1,2]")]
    [InlineData("[{\"type\":\"codec\"}]")]
    [InlineData("[{\"id\":\"x\"}]")]
    public void MalformedReportsAreRefusedClearly(string json)
    {
        Assert.Throws<FormatException>(() => RtcStatsReport.Parse(json));
    }

    [Fact]
    public void InvalidJsonThrowsJsonException()
    {
        Assert.ThrowsAny<JsonException>(() => RtcStatsReport.Parse("[{"));
    }

    [Fact]
    public void CountersSentAsStringsAreRead()
    {
        const string json = """[{"id":"O1","type":"outbound-rtp","timestamp":1,"packetsSent":"18446744073","bytesSent":12.0}]""";
        var outbound = Assert.Single(RtcStatsReport.Parse(json).OutboundRtp);
        Assert.Equal(18446744073, outbound.PacketsSent);
        Assert.Equal(12, outbound.BytesSent);
    }
}
