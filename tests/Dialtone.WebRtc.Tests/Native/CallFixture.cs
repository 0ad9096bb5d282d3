using Dialtone.WebRtc.Tests.Infrastructure;

namespace Dialtone.WebRtc.Tests.Native;

/// <summary>
/// Two factories (one per simulated phone, each with its own audio device) and a connected pair of
/// peer connections with an audio track each. Disposes everything in reverse order.
/// </summary>
public sealed class AudioCall : IAsyncDisposable
{
    private AudioCall(PeerConnectionFactory callerFactory, PeerConnectionFactory calleeFactory)
    {
        CallerFactory = callerFactory;
        CalleeFactory = calleeFactory;
        Caller = callerFactory.CreatePeerConnection();
        Callee = calleeFactory.CreatePeerConnection();
        Caller.TrackAdded += (_, e) => CallerTracks.Writer.TryWrite(e);
        Callee.TrackAdded += (_, e) => CalleeTracks.Writer.TryWrite(e);
    }

    /// <summary>Remote tracks reported by each side's TrackAdded event.</summary>
    public System.Threading.Channels.Channel<TrackEventArgs> CallerTracks { get; } = System.Threading.Channels.Channel.CreateUnbounded<TrackEventArgs>();

    public System.Threading.Channels.Channel<TrackEventArgs> CalleeTracks { get; } = System.Threading.Channels.Channel.CreateUnbounded<TrackEventArgs>();

    public PeerConnectionFactory CallerFactory { get; }

    public PeerConnectionFactory CalleeFactory { get; }

    public PeerConnection Caller { get; }

    public PeerConnection Callee { get; }

    public AudioTrack CallerTrack { get; private set; } = null!;

    public AudioTrack CalleeTrack { get; private set; } = null!;

    public static Task<AudioCall> StartVirtualAsync() => StartAsync(
        new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = AudioProcessingOptions.Disabled },
        new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = AudioProcessingOptions.Disabled });

    public static async Task<AudioCall> StartAsync(PeerConnectionFactoryOptions callerOptions, PeerConnectionFactoryOptions calleeOptions)
    {
        var callerFactory = new PeerConnectionFactory(callerOptions);
        var calleeFactory = new PeerConnectionFactory(calleeOptions);
        var call = new AudioCall(callerFactory, calleeFactory);
        try
        {
            call.CallerTrack = call.Caller.AddAudioTrack("caller-mic", "caller");
            await Loopback.ConnectAsync(call.Caller, call.Callee, beforeAnswer: () => call.CalleeTrack = call.Callee.AddAudioTrack("callee-mic", "callee"));
            return call;
        }
        catch
        {
            await call.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Caller.DisposeAsync();
        await Callee.DisposeAsync();
        CallerFactory.Dispose();
        CalleeFactory.Dispose();
    }
}
