using Dialtone.Phone.Audio;
using Dialtone.WebRtc;

namespace Dialtone.Cli.Audio;

/// <summary>
/// What a call sounds like for <c>call</c> and <c>listen</c>. <c>--play</c> uses the engine's WAV
/// device (recording too, if <c>--record</c> is given). <c>--record</c> alone uses the virtual device:
/// the engine's WAV device needs an input file, so silence is pumped in and the speaker written to
/// the file here. Neither: the virtual device with a silent microphone.
/// </summary>
internal sealed class CallAudio : IAsyncDisposable
{
    private AudioPump? _pump;
    private WavRecorder? _recorder;

    private CallAudio(PeerConnectionFactoryOptions options, string? recordPath)
    {
        Options = options;
        RecordPath = recordPath;
    }

    public PeerConnectionFactoryOptions Options { get; }

    private string? RecordPath { get; }

    public static CallAudio Plan(string? play, string? record)
    {
        if (play is not null)
        {
            if (!File.Exists(play))
                throw new CliException(ExitCode.Usage, $"--play: '{play}' does not exist.");
            var format = WavFormat.Read(play);
            format.EnsurePlayable(play);
            return new CallAudio(new PeerConnectionFactoryOptions
            {
                AudioDevice = AudioDeviceKind.WavFile,
                WavInputPath = Path.GetFullPath(play),
                WavOutputPath = record is null ? null : Path.GetFullPath(record),
                SampleRate = format.SampleRate,
                Channels = format.Channels,
            }, null);
        }
        return new CallAudio(new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual }, record);
    }

    /// <summary>Starts feeding the virtual device, once the user agent (and so the device) exists.</summary>
    public void Start(PeerConnectionFactory factory)
    {
        if (factory.VirtualAudio is not { } device)
            return; // the WAV device runs by itself
        if (RecordPath is not null)
            _recorder = new WavRecorder(RecordPath, device.SampleRate, device.Channels);
        var recorder = _recorder;
        _pump = new AudioPump(device, frame => frame.Clear(), recorder is null ? null : frame => recorder.Write(frame));
    }

    public async ValueTask DisposeAsync()
    {
        if (_pump is not null)
            await _pump.DisposeAsync().ConfigureAwait(false);
        _recorder?.Dispose();
    }
}
