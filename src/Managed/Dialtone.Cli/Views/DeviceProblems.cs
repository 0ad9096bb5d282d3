using Dialtone.WebRtc;

namespace Dialtone.Cli.Views;

/// <summary>
/// Routes the audio engine's "device lost" events to the call being shown. A lost device stays lost
/// for the engine's lifetime (the SDK does not reopen it), so a later call is told at once too.
/// </summary>
internal sealed class DeviceProblems
{
    private readonly Lock _lock = new();
    private readonly List<AudioDeviceDirection> _lost = [];
    private (PhoneMonitor Monitor, ICallView View)? _current;

    public DeviceProblems(PeerConnectionFactory factory) => factory.AudioDeviceError += OnError;

    /// <summary>Shows losses in this call's view until disposed.</summary>
    public IDisposable Report(PhoneMonitor monitor, ICallView view)
    {
        lock (_lock)
        {
            _current = (monitor, view);
            foreach (var direction in _lost)
                monitor.DeviceLost(direction);
        }
        return new Stop(this);
    }

    private void OnError(object? sender, AudioDeviceErrorEventArgs e)
    {
        (PhoneMonitor Monitor, ICallView View)? current;
        lock (_lock)
        {
            _lost.Add(e.Direction);
            current = _current;
        }
        if (current is not { } shown)
            return;
        shown.Monitor.DeviceLost(e.Direction);
        shown.View.Event("audio", $"{Name(e.Direction)} lost ({e.Message}); the call goes on");
    }

    public static string Name(AudioDeviceDirection direction) => direction == AudioDeviceDirection.Input ? "microphone" : "speaker";

    private sealed class Stop(DeviceProblems owner) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._lock)
                owner._current = null;
        }
    }
}
