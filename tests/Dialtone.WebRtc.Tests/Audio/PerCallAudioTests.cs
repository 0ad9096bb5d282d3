using Dialtone.Tests.Shared;
using Dialtone.WebRtc.Tests.Infrastructure;

namespace Dialtone.WebRtc.Tests.Audio;

/// <summary>
/// Per-call audio through the managed API: two calls on one <see cref="AudioDeviceKind.PerCall"/>
/// factory, each carrying its own tone both ways, each sink hearing only its peer; a WAV prompt and
/// a WAV recording; DTMF events read from RTP.
/// </summary>
[Collection(NativeCollection.Name)]
public sealed class PerCallAudioTests
{
    private sealed class End : IDisposable
    {
        public End(PeerConnectionFactory factory, int rate, double tone)
        {
            Pc = factory.CreatePeerConnection();
            Track = Pc.AddCallAudioTrack(new CallAudioSourceOptions { SampleRate = rate });
            Tone = new ToneGenerator(tone, rate, 0.2);
            Rate = rate;
        }

        public PeerConnection Pc { get; }

        public CallAudioTrack Track { get; }

        public ToneGenerator Tone { get; }

        public int Rate { get; }

        public CallAudioSink? Sink { get; set; }

        public List<short> Heard { get; } = [];

        public void Dispose()
        {
            Sink?.Dispose();
            Track.Source.Dispose();
        }
    }

    [Theory]
    [InlineData(8000, 48000, 0)]
    [InlineData(16000, 48000, 0)]
    [InlineData(48000, 48000, 0)]
    [InlineData(16000, 16000, 1)] // the lean bot engine: wideband Opus, one shared media thread
    [InlineData(48000, 16000, 2)]
    public async Task TwoCallsOnOneFactoryEachHearOnlyTheirPeer(int rate, int opusRate, int mediaThreads)
    {
        using var factory = new PeerConnectionFactory(new PeerConnectionFactoryOptions
        {
            AudioDevice = AudioDeviceKind.PerCall,
            OpusSampleRate = opusRate,
            MediaThreads = mediaThreads,
        });
        using var a1 = new End(factory, rate, 440);
        using var b1 = new End(factory, rate, 660);
        using var a2 = new End(factory, rate, 880);
        using var b2 = new End(factory, rate, 1100);
        try
        {
            await Loopback.ConnectAsync(a1.Pc, b1.Pc);
            await Loopback.ConnectAsync(a2.Pc, b2.Pc);
            End[] ends = [a1, b1, a2, b2];
            foreach (var e in ends)
            {
                e.Sink = e.Track.Transceiver.CreateCallAudioSink(new CallAudioSinkOptions { SampleRate = rate });
            }

            // A dedicated thread on an absolute 10 ms schedule, as an application's audio loop would be.
            var loop = new Thread(() => Pump(ends, TimeSpan.FromSeconds(3))) { IsBackground = true, Name = "test audio loop" };
            loop.Start();
            Assert.True(await Task.Run(() => loop.Join(TimeSpan.FromSeconds(30))), "audio loop did not finish");

            AssertHears(a1, 660, [440, 880, 1100]);
            AssertHears(b1, 440, [660, 880, 1100]);
            AssertHears(a2, 1100, [440, 660, 880]);
            AssertHears(b2, 880, [440, 660, 1100]);
            var stats = a1.Track.Source.GetStatistics();
            Assert.True(stats.FramesSent > 200, $"frames sent {stats.FramesSent}");
            Assert.Equal(0, stats.DroppedSamples);
            Assert.True(a1.Sink!.GetStatistics().ReceivedSamples > rate, "more than a second received");
        }
        finally
        {
            foreach (var pc in new[] { a1.Pc, b1.Pc, a2.Pc, b2.Pc })
            {
                await pc.DisposeAsync();
            }
        }
    }

    [Fact]
    public void OpusRateAndMediaThreadsOutOfRangeAreRefusedBeforeTheEngineStarts()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PeerConnectionFactory(new PeerConnectionFactoryOptions { OpusSampleRate = 32000 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PeerConnectionFactory(new PeerConnectionFactoryOptions { MediaThreads = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PeerConnectionFactory(new PeerConnectionFactoryOptions { MediaThreads = 65 }));
    }

    [Fact]
    public async Task AWavPromptIsRecordedToAWavAtTheOtherEnd()
    {
        string dir = Directory.CreateTempSubdirectory("dt-callaudio-").FullName;
        try
        {
            string prompt = Path.Combine(dir, "prompt.wav"), recording = Path.Combine(dir, "call.wav");
            var samples = new short[16000];
            new ToneGenerator(750, 16000, 0.25).Fill(samples);
            WavFile.WriteMono16(prompt, samples, 16000);
            using var factory = new PeerConnectionFactory(new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.PerCall });
            await using var caller = factory.CreatePeerConnection();
            await using var callee = factory.CreatePeerConnection();
            var callerTrack = caller.AddCallAudioTrack(new CallAudioSourceOptions { SampleRate = 16000 });
            var calleeTrack = callee.AddCallAudioTrack(new CallAudioSourceOptions { SampleRate = 8000 });
            await Loopback.ConnectAsync(caller, callee);
            callerTrack.Source.PlayWav(prompt, loop: true);
            using (var sink = calleeTrack.Transceiver.CreateCallAudioSink(new CallAudioSinkOptions { SampleRate = 8000, WavOutputPath = recording }))
            {
                Assert.Equal(WebRtcErrorCode.InvalidState, Assert.Throws<WebRtcException>(() => sink.Read(new short[16])).ResultCode);
                await Loopback.EventuallyAsync(() => Task.FromResult(sink.GetStatistics().WrittenSamples >= 16000 ? "yes" : null),
                    TimeSpan.FromSeconds(15), "two seconds recorded");
            }

            Assert.True(callerTrack.Source.GetStatistics().PlayingWav);
            callerTrack.Source.Dispose();
            calleeTrack.Source.Dispose();
            var (recorded, recordedRate, channels) = WavFile.Read(recording);
            Assert.Equal(8000, recordedRate);
            Assert.Equal(1, channels);
            var last = recorded.AsSpan(recorded.Length - 8000);
            Assert.True(Goertzel.EnergyFraction(last, 750, 8000) > 0.5, $"750 Hz share {Goertzel.EnergyFraction(last, 750, 8000):F2}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task DtmfEventsArriveOnceEachInOrderWithoutDecodingAudio()
    {
        using var factory = new PeerConnectionFactory(new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.PerCall });
        await using var caller = factory.CreatePeerConnection();
        await using var callee = factory.CreatePeerConnection();
        var callerTrack = caller.AddCallAudioTrack();
        var calleeTrack = callee.AddCallAudioTrack();
        using var receiver = calleeTrack.Transceiver.CreateDtmfReceiver();
        Assert.Equal(WebRtcErrorCode.InvalidState, Assert.Throws<WebRtcException>(() => calleeTrack.Transceiver.CreateDtmfReceiver()).ResultCode);
        await Loopback.ConnectAsync(caller, callee);
        await Loopback.EventuallyAsync(() => Task.FromResult(callerTrack.Dtmf.CanInsertDtmf ? "yes" : null), TimeSpan.FromSeconds(10), "CanInsertDtmf");

        const string Digits = "0123456789*#ABCD";
        callerTrack.Dtmf.InsertDtmf(Digits, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(50));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var events = new List<DtmfEvent>();
        while (events.Count < Digits.Length * 2)
        {
            events.Add(await receiver.Events.ReadAsync(cts.Token));
        }

        for (int i = 0; i < Digits.Length; i++)
        {
            var start = events[2 * i];
            var end = events[2 * i + 1];
            Assert.Equal(DtmfEventPhase.Start, start.Phase);
            Assert.Equal(DtmfEventPhase.End, end.Phase);
            Assert.Equal(Digits[i], start.Tone);
            Assert.Equal(i, end.Event);
            Assert.True(end.EndBit);
            Assert.Equal(start.RtpTimestamp, end.RtpTimestamp);
            Assert.InRange(end.Duration.TotalMilliseconds, 100, 230); // the sender reports in steps of its packet interval
        }

        await Task.Delay(300);
        Assert.False(receiver.Events.TryRead(out var extra), $"an event was reported twice: {extra}");
        callerTrack.Source.Dispose();
        calleeTrack.Source.Dispose();
    }

    [Fact]
    public async Task BadInputIsAClearError()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CallAudioSourceOptions { SampleRate = 44100 }.Validate());
        using var device = new PeerConnectionFactory(new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.None });
        await using var pc = device.CreatePeerConnection();
        var e = Assert.Throws<WebRtcException>(() => pc.AddCallAudioTrack());
        Assert.Equal(WebRtcErrorCode.InvalidState, e.ResultCode);
        Assert.Contains("DT_AUDIO_DEVICE_PER_CALL", e.Message, StringComparison.Ordinal);

        using var factory = new PeerConnectionFactory(new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.PerCall });
        await using var call = factory.CreatePeerConnection();
        Assert.Throws<ArgumentOutOfRangeException>(() => call.AddCallAudioTrack(new CallAudioSourceOptions { SampleRate = 22050 }));
        var track = call.AddCallAudioTrack(new CallAudioSourceOptions { SampleRate = 16000 });
        Assert.Equal(WebRtcErrorCode.WavFile, Assert.Throws<WebRtcException>(() => track.Source.PlayWav("/nonexistent/prompt.wav")).ResultCode);
        Assert.Throws<ArgumentOutOfRangeException>(() => track.Transceiver.CreateCallAudioSink(new CallAudioSinkOptions { SampleRate = 11025 }));
        track.Source.Push(new short[160]);
        track.Source.Dispose();
        Assert.Throws<ObjectDisposedException>(() => track.Source.Push(new short[160]));
        Assert.True(CallAudioClock.GetStatistics().Ticks >= 0);
    }

    // Keeps each source 100 ms ahead of real time (so a late wake-up on a loaded machine never
    // starves it) and drains each sink, every 10 ms on an absolute schedule.
    private static void Pump(End[] ends, TimeSpan duration)
    {
        var frame = new short[480];
        var input = new short[4800];
        var pushed = new long[ends.Length];
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        int ticks = (int)(duration.TotalMilliseconds / 10);
        for (int t = 1; t <= ticks; t++)
        {
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(start);
            for (int i = 0; i < ends.Length; i++)
            {
                var e = ends[i];
                long due = (long)((elapsed.TotalMilliseconds + 100) * e.Rate / 1000);
                while (pushed[i] < due)
                {
                    var f = frame.AsSpan(0, e.Rate / 100);
                    e.Tone.Fill(f);
                    e.Track.Source.Push(f);
                    pushed[i] += f.Length;
                }

                int got;
                while ((got = e.Sink!.Read(input)) > 0)
                {
                    e.Heard.AddRange(input.AsSpan(0, got));
                }
            }

            var wait = TimeSpan.FromMilliseconds(10 * t) - System.Diagnostics.Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                Thread.Sleep(wait);
            }
        }
    }

    private static void AssertHears(End e, double expected, double[] others)
    {
        Assert.True(e.Heard.Count >= e.Rate, $"heard only {e.Heard.Count} samples");
        var last = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(e.Heard)[^e.Rate..];
        double share = Goertzel.EnergyFraction(last, expected, e.Rate);
        Assert.True(share > 0.5, $"{expected} Hz is {share:F2} of what the call heard");
        foreach (double f in others)
        {
            double other = Goertzel.EnergyFraction(last, f, e.Rate);
            Assert.True(other < 0.02, $"{f} Hz (another call's tone) is {other:F3} of what this call heard: cross-talk");
        }
    }
}
