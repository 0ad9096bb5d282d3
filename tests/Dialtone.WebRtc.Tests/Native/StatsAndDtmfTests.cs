using Dialtone.WebRtc.Tests.Infrastructure;

namespace Dialtone.WebRtc.Tests.Native;

[Collection(NativeCollection.Name)]
public sealed class StatsAndDtmfTests
{
    private const int Rate = 48000;

    [Fact]
    public async Task StatsReportCodecPacketsAndRoundTripTime()
    {
        await using var call = await AudioCall.StartVirtualAsync();
        await using var pump = new AudioPump(
            (call.CallerFactory.VirtualAudio!, new ToneGenerator(1000, Rate)),
            (call.CalleeFactory.VirtualAudio!, new ToneGenerator(600, Rate)));

        // RTT needs RTCP reports from the far end: poll until they have arrived.
        var report = await Loopback.EventuallyAsync(async () =>
        {
            var r = await call.Caller.GetStatsAsync();
            return r.RemoteInboundRtp.Any(s => s.RoundTripTime is not null) && r.SelectedCandidatePair?.CurrentRoundTripTime is not null
                && r.OutboundRtp.Any(s => s.PacketsSent > 50) ? r : null;
        }, TimeSpan.FromSeconds(20), "remote-inbound-rtp roundTripTime and 50 packets sent");

        var outbound = Assert.Single(report.OutboundRtp, s => s.Kind == "audio");
        Assert.Equal("audio/opus", report.CodecOf(outbound)?.MimeType, StringComparer.OrdinalIgnoreCase);
        Assert.True(outbound.BytesSent > outbound.PacketsSent, "bytesSent should exceed packetsSent");
        double rtt = report.RemoteInboundRtp.First(s => s.RoundTripTime is not null).RoundTripTime!.Value;
        Assert.InRange(rtt, 0.0, 0.5); // loopback
        Assert.InRange(report.SelectedCandidatePair!.CurrentRoundTripTime!.Value, 0.0, 0.5);

        var calleeReport = await call.Callee.GetStatsAsync();
        var inbound = Assert.Single(calleeReport.InboundRtp, s => s.Kind == "audio");
        Assert.True(inbound.PacketsReceived > 50, $"callee received {inbound.PacketsReceived} packets");
        Assert.NotNull(inbound.PacketsLost);
        Assert.NotNull(inbound.Jitter);
        Assert.Equal("audio/opus", calleeReport.CodecOf(inbound)?.MimeType, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task DtmfToneEventsArriveInOrderAndTheDigitsAreHeard()
    {
        await using var call = await AudioCall.StartVirtualAsync();
        await using var pump = new AudioPump((call.CallerFactory.VirtualAudio!, null), (call.CalleeFactory.VirtualAudio!, null));

        var dtmf = call.CallerTrack.Dtmf;
        await Loopback.EventuallyAsync(() => Task.FromResult(dtmf.CanInsertDtmf ? "yes" : null), TimeSpan.FromSeconds(10), "CanInsertDtmf");

        // Let playout settle (NetEq's first packets) before the digits.
        await Loopback.EventuallyAsync(() => Task.FromResult(pump.PulledSamples(1) > Rate ? "yes" : null), TimeSpan.FromSeconds(10), "a second of callee playout");

        var tones = new List<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        dtmf.ToneChanged += (_, e) =>
        {
            lock (tones)
            {
                tones.Add(e.Tone);
            }

            if (e.Tone.Length == 0)
            {
                done.TrySetResult();
            }
        };

        dtmf.InsertDtmf("1937", TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(100));
        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        lock (tones)
        {
            Assert.Equal(["1", "9", "3", "7", ""], tones);
        }

        // NetEq plays received telephone-events out as tones: decode them from the callee's speaker.
        // On a loaded machine playout may lag, and the sender's tone events may reach us late (after the
        // tones were already played): look again (bounded, 10 s) at the last 8 s, which hold them either way.
        short[] audio = [];
        string heard = "";
        for (var waited = 0; waited < 40 && heard != "1937"; waited++)
        {
            await Task.Delay(250);
            audio = pump.LastSeconds(1, 8);
            heard = DtmfDetector.Detect(audio, Rate);
        }
        Assert.True(heard == "1937", $"heard '{heard}'; blocks: {DtmfDetector.Describe(audio, Rate)}");
    }

    [Fact]
    public async Task InvalidDtmfIsRefusedUpFront()
    {
        await using var call = await AudioCall.StartVirtualAsync();
        Assert.Throws<ArgumentException>(() => call.CallerTrack.Dtmf.InsertDtmf("12x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => call.CallerTrack.Dtmf.InsertDtmf("1", TimeSpan.FromMilliseconds(10)));
    }
}
