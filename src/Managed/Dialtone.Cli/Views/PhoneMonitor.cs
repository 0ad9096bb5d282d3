using Dialtone.WebRtc;

namespace Dialtone.Cli.Views;

/// <summary>
/// The monitor of <c>call</c> and <c>listen</c>: the call's figures plus what the user controls —
/// mute, volumes, the devices in use, the echo canceller — and a device lost mid-call, which it
/// reports once to the view while the call goes on.
/// </summary>
internal sealed class PhoneMonitor : CallMonitor
{
    private readonly PeerConnectionFactory _factory;
    private readonly string _devices;
    private readonly bool _soundServer;
    private readonly Lock _lock = new();
    private readonly List<string> _problems = [];

    public PhoneMonitor(string name, PeerConnectionFactory factory, string devices, bool soundServer) : base(name)
    {
        _factory = factory;
        _devices = devices;
        _soundServer = soundServer;
    }

    /// <summary>Called from the factory's <see cref="PeerConnectionFactory.AudioDeviceError"/>.</summary>
    public void DeviceLost(AudioDeviceDirection direction)
    {
        lock (_lock)
            _problems.Add(direction == AudioDeviceDirection.Input ? "microphone lost" : "speaker lost");
    }

    protected override PartyStatus Decorate(PartyStatus status)
    {
        string? problem;
        lock (_lock)
            problem = _problems.Count == 0 ? null : string.Join(", ", _problems.Distinct()) + "; the call goes on without it";
        status = status with { Devices = _devices, DeviceProblem = problem };
        try
        {
            return status with
            {
                Muted = Call?.Muted ?? false,
                EchoCanceller = _factory.AudioProcessing.EchoCancellation,
                MicrophoneVolume = _soundServer ? _factory.MicrophoneVolume : null,
                SpeakerVolume = _soundServer ? _factory.SpeakerVolume : null,
            };
        }
        catch (ObjectDisposedException)
        {
            return status; // the call's media or the engine is already released: the last figures stand
        }
    }
}
