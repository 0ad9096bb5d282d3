using Dialtone.WebRtc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Dialtone.WebRtc.Tests.Native;

/// <summary>
/// The PulseAudio device against a real PulseAudio server started by the test (null sink + sine
/// source): listing, choice by id and by description, audio both ways through a call, and the
/// server going away mid-call.
/// </summary>
[Collection(NativeCollection.Name)]
public sealed class PulseAudioDeviceTests(ITestOutputHelper output)
{
    private const double RemoteToneHz = 1000;

    [Fact]
    public void ListsTheServersSinksAndSourcesWithTheirDefaults()
    {
        using var server = new PulseAudioServer();
        var sinks = AudioDevices.List(AudioDeviceDirection.Output, server.Server);
        var sources = AudioDevices.List(AudioDeviceDirection.Input, server.Server);
        output.WriteLine(string.Join("\n", sinks.Concat(sources)));

        var sink = Assert.Single(sinks);
        Assert.Equal(PulseAudioServer.Sink, sink.Id);
        Assert.True(sink.IsDefault);
        Assert.Equal(AudioDeviceDirection.Output, sink.Direction);
        Assert.False(string.IsNullOrEmpty(sink.Description));
        Assert.Contains(sources, s => s.Id == PulseAudioServer.Source && s.IsDefault && s.Direction == AudioDeviceDirection.Input);
        Assert.Contains(sources, s => s.Id == PulseAudioServer.Sink + ".monitor" && !s.IsDefault);
    }

    [Fact]
    public void AnUnreachableServerOrUnknownDeviceIsAClearError()
    {
        using var server = new PulseAudioServer();
        var e = Assert.Throws<WebRtcException>(() => AudioDevices.List(AudioDeviceDirection.Output, "unix:/nonexistent/dialtone/native"));
        Assert.Equal(WebRtcErrorCode.AudioDevice, e.ResultCode);
        Assert.Contains("/nonexistent/dialtone/native", e.Message);

        e = Assert.Throws<WebRtcException>(() => new PeerConnectionFactory(new PeerConnectionFactoryOptions
        {
            AudioDevice = AudioDeviceKind.PulseAudio,
            AudioServer = server.Server,
            InputDevice = "no-such-microphone",
        }));
        Assert.Equal(WebRtcErrorCode.AudioDevice, e.ResultCode);
        Assert.Contains("no-such-microphone", e.Message);
        Assert.Contains(PulseAudioServer.Source, e.Message);   // the message lists what exists

        Assert.Throws<ArgumentException>(() => new PeerConnectionFactory(new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, InputDevice = "x" }));
    }

    [Fact]
    public async Task RealDevicesCarryAudioBothWaysAndALostServerLeavesTheCallRunningSilently()
    {
        using var server = new PulseAudioServer();
        string sinkDescription = AudioDevices.List(AudioDeviceDirection.Output, server.Server).Single().Description;
        await using var call = await AudioCall.StartAsync(
            new PeerConnectionFactoryOptions
            {
                AudioDevice = AudioDeviceKind.PulseAudio,
                AudioServer = server.Server,
                InputDevice = PulseAudioServer.Source,   // by id
                OutputDevice = sinkDescription,          // by description
                AudioProcessing = AudioProcessingOptions.Disabled,
            },
            new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = AudioProcessingOptions.Disabled });
        var errors = new System.Collections.Concurrent.ConcurrentQueue<AudioDeviceErrorEventArgs>();
        call.CallerFactory.AudioDeviceError += (_, e) => errors.Enqueue(e);
        await using var pump = new AudioPump((call.CalleeFactory.VirtualAudio!, new ToneGenerator(RemoteToneHz, 48000)));

        // The sine source reaches the remote peer ...
        await Task.Delay(TimeSpan.FromSeconds(3));
        short[] heard = pump.LastSeconds(0, 1);
        double fromSource = MedianFraction(heard, PulseAudioServer.ToneHz);
        // ... and the remote tone is played to the sink (recorded from its monitor).
        short[] played = server.RecordSink(TimeSpan.FromSeconds(1.5));
        double atSink = MedianFraction(played, RemoteToneHz);
        output.WriteLine($"remote hears {PulseAudioServer.ToneHz} Hz: {fromSource:F2} of its energy (RMS {Goertzel.Rms(heard):F0}); sink plays {RemoteToneHz} Hz: {atSink:F2} ({played.Length} samples, RMS {Goertzel.Rms(played):F0})");
        Assert.True(fromSource > 0.5, $"the PulseAudio source's tone did not reach the remote peer ({fromSource:F2})");
        Assert.True(played.Length > 48000 / 2, "nothing recorded from the sink monitor");
        Assert.True(atSink > 0.5, $"the remote tone was not played to the PulseAudio sink ({atSink:F2})");
        Assert.Empty(errors);

        // The server goes away: both directions report it, the call stays up and sends silence.
        server.Kill();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (errors.Select(e => e.Direction).Distinct().Count() < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        output.WriteLine(string.Join("\n", errors.Select(e => $"{e.Direction}: {e.Message}")));
        Assert.Contains(errors, e => e.Direction == AudioDeviceDirection.Input && e.Message.Contains("source", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Direction == AudioDeviceDirection.Output && e.Message.Contains("sink", StringComparison.Ordinal));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(PeerConnectionState.Connected, call.Caller.ConnectionState);
        long before = (await call.Callee.GetStatsAsync()).InboundRtp.Single().PacketsReceived ?? 0;
        await Task.Delay(TimeSpan.FromSeconds(1));
        long after = (await call.Callee.GetStatsAsync()).InboundRtp.Single().PacketsReceived ?? 0;
        Assert.True(after - before >= 25, $"the remote side received only {after - before} packets in a second after the loss");
        Assert.True(MedianFraction(pump.LastSeconds(0, 0.5), PulseAudioServer.ToneHz) < 0.2, "the lost source's tone is still heard");
    }

    // The tone's share of the energy in 50 ms blocks, median over the blocks: one block that spans a
    // buffer boundary of the sound server (a phase jump) does not decide the result.
    private static double MedianFraction(short[] samples, double hz)
    {
        const int Block = 48000 / 20;
        var fractions = new List<double>();
        for (int i = 0; i + Block <= samples.Length; i += Block)
        {
            fractions.Add(Goertzel.EnergyFraction(samples.AsSpan(i, Block), hz, 48000));
        }

        fractions.Sort();
        return fractions.Count == 0 ? 0 : fractions[fractions.Count / 2];
    }
}
