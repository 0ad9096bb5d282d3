using System.Text.RegularExpressions;
using Dialtone.Tests.Shared;
using Dialtone.WebRtc.Tests.Infrastructure;

namespace Dialtone.WebRtc.Tests.Native;

[Collection(NativeCollection.Name)]
public sealed class AudioLoopbackTests
{
    private const int Rate = 48000;

    [Fact]
    public async Task VirtualDevicesCarryADifferentToneEachWayOverOpus()
    {
        await using var call = await AudioCall.StartVirtualAsync();

        // Opus leads the offer and is what the answer picked.
        Assert.Matches(new Regex(@"a=rtpmap:\d+ opus/48000/2"), call.Caller.LocalDescription!.Sdp);
        Assert.Equal("opus", FirstAudioCodec(call.Callee.LocalDescription!.Sdp));

        // Each side was told about the other's track, on the transceiver its own track uses.
        using var cts = new CancellationTokenSource(Loopback.Timeout);
        var trackAtCallee = await call.CalleeTracks.Reader.ReadAsync(cts.Token);
        var trackAtCaller = await call.CallerTracks.Reader.ReadAsync(cts.Token);
        Assert.Equal("caller-mic", trackAtCallee.TrackId);
        // The callee's track rides a transceiver the offer created: Unified Plan signals that
        // transceiver's sender id in a=msid, not the track id, so only the caller's id carries over.
        Assert.False(string.IsNullOrEmpty(trackAtCaller.TrackId));
        Assert.Same(call.CalleeTrack.Transceiver, trackAtCallee.Transceiver);
        Assert.Same(call.CallerTrack.Transceiver, trackAtCaller.Transceiver);
        Assert.Equal("0", trackAtCallee.Mid);

        await using var pump = new AudioPump(
            (call.CallerFactory.VirtualAudio!, new ToneGenerator(1000, Rate)),
            (call.CalleeFactory.VirtualAudio!, new ToneGenerator(600, Rate)));

        string last = "";
        bool heard = false;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!heard && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            short[] atCallee = pump.LastSeconds(1, 0.5);
            short[] atCaller = pump.LastSeconds(0, 0.5);
            if (atCallee.Length < Rate / 2 || atCaller.Length < Rate / 2)
            {
                continue;
            }

            double callee1000 = Goertzel.EnergyFraction(atCallee, 1000, Rate), callee600 = Goertzel.EnergyFraction(atCallee, 600, Rate);
            double caller600 = Goertzel.EnergyFraction(atCaller, 600, Rate), caller1000 = Goertzel.EnergyFraction(atCaller, 1000, Rate);
            last = $"callee hears 1000 Hz {callee1000:F3} / 600 Hz {callee600:F3} (rms {Goertzel.Rms(atCallee):F0}); caller hears 600 Hz {caller600:F3} / 1000 Hz {caller1000:F3} (rms {Goertzel.Rms(atCaller):F0})";
            heard = callee1000 > 0.5 && callee600 < 0.05 && caller600 > 0.5 && caller1000 < 0.05;
        }

        Assert.True(heard, "tones not detected within 15 s: " + last);

        var stats = await call.Caller.GetStatsAsync();
        var outbound = Assert.Single(stats.OutboundRtp, s => s.Kind == "audio");
        Assert.Equal("audio/opus", stats.CodecOf(outbound)?.MimeType, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WavDeviceRecordsTheTonePlayedByTheOtherSide()
    {
        string dir = Directory.CreateTempSubdirectory("dialtone-wav-").FullName;
        try
        {
            string callerIn = Path.Combine(dir, "caller-in.wav"), calleeIn = Path.Combine(dir, "callee-in.wav");
            string callerOut = Path.Combine(dir, "caller-out.wav"), calleeOut = Path.Combine(dir, "callee-out.wav");
            WriteTone(callerIn, 1000);
            WriteTone(calleeIn, 600);

            await using (var call = await AudioCall.StartAsync(
                new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.WavFile, WavInputPath = callerIn, LoopWavInput = true, WavOutputPath = callerOut, AudioProcessing = AudioProcessingOptions.Disabled },
                new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.WavFile, WavInputPath = calleeIn, LoopWavInput = true, WavOutputPath = calleeOut, AudioProcessing = AudioProcessingOptions.Disabled }))
            {
                // Audio flows for a few seconds; the recording covers the whole call.
                await Task.Delay(TimeSpan.FromSeconds(4));
            }

            AssertLastSecondIsTone(calleeOut, 1000, 600);
            AssertLastSecondIsTone(callerOut, 600, 1000);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void WriteTone(string path, double frequency)
    {
        var samples = new short[Rate * 2];
        new ToneGenerator(frequency, Rate).Fill(samples);
        WavFile.WriteMono16(path, samples, Rate);
    }

    private static void AssertLastSecondIsTone(string path, double expected, double other)
    {
        var (samples, rate, _) = WavFile.Read(path);
        Assert.True(samples.Length >= rate * 2, $"{Path.GetFileName(path)} holds only {samples.Length} samples at {rate} Hz");

        // Skip the very end (the call was being torn down) and analyse the second before it.
        var window = samples.AsSpan(samples.Length - rate * 3 / 2, rate);
        double hit = Goertzel.EnergyFraction(window, expected, rate);
        double miss = Goertzel.EnergyFraction(window, other, rate);
        Assert.True(hit > 0.5 && miss < 0.05, $"{Path.GetFileName(path)}: {expected} Hz share {hit:F3}, {other} Hz share {miss:F3}, rms {Goertzel.Rms(window):F0}");
    }

    /// <summary>The encoding name of the first payload type on the audio m-line.</summary>
    internal static string FirstAudioCodec(string sdp)
    {
        var mline = Regex.Match(sdp, @"^m=audio \d+ [A-Z/]+ (\d+)", RegexOptions.Multiline);
        Assert.True(mline.Success, "no m=audio line");
        var rtpmap = Regex.Match(sdp, $@"^a=rtpmap:{mline.Groups[1].Value} ([^/\r\n]+)", RegexOptions.Multiline);
        Assert.True(rtpmap.Success, "no rtpmap for the first audio payload type");
        return rtpmap.Groups[1].Value.ToLowerInvariant();
    }
}
