using Dialtone.WebRtc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Dialtone.WebRtc.Tests.Native;

/// <summary>
/// A factory disposed while its peer connections still run: the native factory and its audio
/// device live on until the last connection is released, and may still report device errors. The
/// GCHandle those reports carry must live as long — freed at Dispose, its slot went to the next
/// GCHandle allocated (here: another factory's), and that factory heard the first one's device.
/// </summary>
[Collection(NativeCollection.Name)]
public sealed class FactoryCallbackLifetimeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_disposed_factory_whose_calls_still_run_reports_to_nobody_else()
    {
        using var firstServer = new PulseAudioServer();
        using var otherServer = new PulseAudioServer();
        await using var call = await AudioCall.StartAsync(
            new PeerConnectionFactoryOptions
            {
                AudioDevice = AudioDeviceKind.PulseAudio,
                AudioServer = firstServer.Server,
                InputDevice = PulseAudioServer.Source,
                OutputDevice = PulseAudioServer.Sink,
                AudioProcessing = AudioProcessingOptions.Disabled,
            },
            new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = AudioProcessingOptions.Disabled });
        // The PulseAudio device runs once media flows: wait for the callee to receive it.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await call.Callee.GetStatsAsync()).InboundRtp.Sum(s => s.PacketsReceived ?? 0) < 50 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var firstHeard = new System.Collections.Concurrent.ConcurrentQueue<AudioDeviceErrorEventArgs>();
        call.CallerFactory.AudioDeviceError += (_, e) => firstHeard.Enqueue(e);
        call.CallerFactory.Dispose();   // the call's peer connection keeps the native factory and device

        using var other = new PeerConnectionFactory(new PeerConnectionFactoryOptions
        {
            AudioDevice = AudioDeviceKind.PulseAudio,
            AudioServer = otherServer.Server,
            AudioProcessing = AudioProcessingOptions.Disabled,
        });
        var otherHeard = new System.Collections.Concurrent.ConcurrentQueue<AudioDeviceErrorEventArgs>();
        other.AudioDeviceError += (_, e) => otherHeard.Enqueue(e);

        // The first factory's device loses its server and reports it (both directions, within about
        // a second: PulseAudioDeviceTests). Nobody may hear it: the first factory is disposed, and the
        // other one's server is fine.
        firstServer.Kill();
        await Task.Delay(TimeSpan.FromSeconds(3));
        output.WriteLine(string.Join("\n", otherHeard.Select(e => $"other factory heard {e.Direction}: {e.Message}")));
        Assert.Empty(otherHeard);
        Assert.Empty(firstHeard);

        // The call still runs on the disposed factory's device (silence now), and ends cleanly.
        Assert.Equal(PeerConnectionState.Connected, call.Caller.ConnectionState);
    }
}
