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

        var sink = Assert.Single(sinks, s => s.Id == PulseAudioServer.Sink);
        Assert.True(sink.IsDefault);
        Assert.Single(sinks, s => s.IsDefault);
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
        string sinkDescription = AudioDevices.List(AudioDeviceDirection.Output, server.Server).Single(d => d.Id == PulseAudioServer.Sink).Description;
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
        // (The sink's first seconds may still be settling: a few 1 s recordings, the first good one counts.)
        short[] played = [];
        double atSink = 0;
        for (int attempt = 0; attempt < 6 && atSink <= 0.5; attempt++)
        {
            played = server.RecordSink(TimeSpan.FromSeconds(1));
            atSink = MedianFraction(played, RemoteToneHz);
        }

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

    [Fact]
    public async Task AnEchoThroughTheSoundServerIsCancelled()
    {
        // The microphone is the sink's monitor: everything A's speaker plays comes straight back
        // into A's microphone, delayed only by the sound server's buffers — a real echo path whose
        // delay the device reports with every frame (AEC3 also estimates it itself).
        using var server = new PulseAudioServer();
        short[] speech = Echo.SpeechSynthesizer.Speak(Echo.EchoScenario.FarVoice, Echo.EchoScenario.FarText, 48000);
        var echoOnly = AudioProcessingOptions.Disabled with { EchoCancellation = true };
        await using var call = await AudioCall.StartAsync(
            new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = AudioProcessingOptions.Disabled },
            new PeerConnectionFactoryOptions
            {
                AudioDevice = AudioDeviceKind.PulseAudio,
                AudioServer = server.Server,
                InputDevice = PulseAudioServer.Sink + ".monitor",
                OutputDevice = PulseAudioServer.Sink,
                AudioProcessing = echoOnly,
            });
        await using var room = new Echo.EchoRoom(call.CallerFactory.VirtualAudio!, null, speech);

        await Task.Delay(TimeSpan.FromSeconds(3));
        double on = await room.ReturnGainDbAsync(TimeSpan.FromSeconds(6));
        call.CalleeFactory.SetAudioProcessing(AudioProcessingOptions.Disabled);
        await Task.Delay(TimeSpan.FromSeconds(1));
        double off = await room.ReturnGainDbAsync(TimeSpan.FromSeconds(6));

        output.WriteLine($"through PulseAudio: the talker's own voice returned at {off:F1} dB with AEC off, {on:F1} dB with AEC on: attenuation {off - on:F1} dB");
        Assert.True(off > -10, $"without AEC the sink monitor must return the voice loudly ({off:F1} dB)");
        Assert.True(off - on >= 20, $"AEC attenuated the sound server's echo by only {off - on:F1} dB");
    }

    [Fact]
    public async Task VolumeAndMuteActOnTheRealDevicesOnly()
    {
        using var virtualFactory = new PeerConnectionFactory(new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual });
        var e = Assert.Throws<WebRtcException>(() => virtualFactory.MicrophoneMuted = true);
        Assert.Equal(WebRtcErrorCode.NotSupported, e.ResultCode);
        Assert.False(virtualFactory.MicrophoneMuted);

        using var server = new PulseAudioServer();
        await using var call = await AudioCall.StartAsync(
            new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.PulseAudio, AudioServer = server.Server, AudioProcessing = AudioProcessingOptions.Disabled },
            new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = AudioProcessingOptions.Disabled });
        var pulse = call.CallerFactory;
        Assert.Throws<ArgumentOutOfRangeException>(() => pulse.SpeakerVolume = 1.5);
        await using var pump = new AudioPump((call.CalleeFactory.VirtualAudio!, new ToneGenerator(RemoteToneHz, 48000)));
        await Task.Delay(TimeSpan.FromSeconds(2));

        // Level of the tone only: when the microphone falls silent, the receiver's comfort noise
        // (Opus DTX/NetEq) is not the tone. Median over 50 ms blocks: a recorder that starts with
        // a little silence does not decide the result.
        static double ToneLevel(short[] x, double hz)
        {
            const int Block = 48000 / 20;
            var levels = new List<double>();
            for (int i = 0; i + Block <= x.Length; i += Block)
            {
                var block = x.AsSpan(i, Block);
                levels.Add(Goertzel.Rms(block) * Math.Sqrt(Goertzel.EnergyFraction(block, hz, 48000)));
            }

            levels.Sort();
            return levels.Count == 0 ? 0 : levels[levels.Count / 2];
        }

        double Heard() => ToneLevel(pump.LastSeconds(0, 0.5), PulseAudioServer.ToneHz);
        double Played() => ToneLevel(server.RecordSink(TimeSpan.FromSeconds(1.5)), RemoteToneHz);
        // Quarter volume first, full volume after: the first seconds of a call are not a steady
        // reference (NetEq still adapts its buffer then).
        pulse.MicrophoneVolume = 0.25;
        pulse.SpeakerVolume = 0.25;
        await Task.Delay(TimeSpan.FromSeconds(2));
        // On a loaded machine the tone may not flow yet, or a reading may catch a gap (it read 0 →
        // -∞ dB once): each level is taken once it is steady — two readings in a row, 250 ms
        // apart, non-zero and within 2 dB of each other — waiting for that at most 15 s.
        var quarterIn = await SteadyLevelAsync(Heard);
        var quarterOut = await SteadyLevelAsync(Played);
        pulse.MicrophoneVolume = 1;
        pulse.SpeakerVolume = 1;
        await Task.Delay(TimeSpan.FromSeconds(2));
        var fullIn = await SteadyLevelAsync(Heard);
        var fullOut = await SteadyLevelAsync(Played);
        pulse.MicrophoneMuted = true;
        pulse.SpeakerMuted = true;
        await Task.Delay(TimeSpan.FromSeconds(2));
        // Muted: wait (bounded) for the silence the assertions expect; the last reading decides.
        var mutedIn = await LevelWhenAsync(Heard, v => v < fullIn / 100);
        var mutedOut = await LevelWhenAsync(Played, v => v < fullOut / 100);
        output.WriteLine($"microphone tone level at the peer: {fullIn:F0} full, {quarterIn:F0} at 0.25, {mutedIn:F0} muted; speaker tone level at the sink: {fullOut:F0}, {quarterOut:F0}, {mutedOut:F0}");

        Assert.True(fullIn > 1000 && fullOut > 1000, "no audio at full volume");
        Assert.InRange(20 * Math.Log10(quarterIn / fullIn), -15, -9);    // 0.25 = -12 dB
        Assert.InRange(20 * Math.Log10(quarterOut / fullOut), -15, -9);
        Assert.True(mutedIn < fullIn / 100, $"muted microphone still heard at RMS {mutedIn:F0}");
        Assert.True(mutedOut < fullOut / 100, $"muted speaker still plays at RMS {mutedOut:F0}");
        Assert.Equal(PeerConnectionState.Connected, call.Caller.ConnectionState);
    }

    /// <summary>A level once it is steady (see the caller), or the last reading after 15 s.</summary>
    private static async Task<double> SteadyLevelAsync(Func<double> read)
    {
        var previous = read();
        for (var i = 0; i < 60; i++)
        {
            await Task.Delay(250);
            var current = read();
            if (previous > 0 && current > 0 && Math.Abs(20 * Math.Log10(current / previous)) < 2)
                return (previous + current) / 2;
            previous = current;
        }
        return previous;
    }

    /// <summary>The first reading that meets <paramref name="condition"/>, or the last one after 10 s.</summary>
    private static async Task<double> LevelWhenAsync(Func<double> read, Func<double, bool> condition)
    {
        var level = read();
        for (var i = 0; i < 40 && !condition(level); i++)
        {
            await Task.Delay(250);
            level = read();
        }
        return level;
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
