using Dialtone.Phone;
using Dialtone.Phone.Audio;
using Dialtone.WebRtc;

namespace Dialtone.Cli.Audio;

/// <summary>
/// What a call sounds like for <c>call</c> and <c>listen</c>:
/// - by default the sound server's microphone and speaker (PulseAudio, or PipeWire's PulseAudio
///   service) with echo cancellation, noise suppression and gain control on, as a softphone wants;
/// - <c>--play</c>: the engine's WAV device plays the file as our voice (and records what we hear
///   to <c>--record</c>, if given);
/// - <c>--no-audio</c>: the virtual device with a silent microphone; <c>--record</c> then writes the
///   speaker to the file here (the engine's WAV device needs an input file).
/// With the sound server's devices, <c>--record</c> writes what the peer says: a sink on the call's
/// remote track (<see cref="RecordPeer"/>), since the device gives no copy of what the speaker plays.
/// </summary>
internal sealed class CallAudio : IAsyncDisposable
{
    private AudioPump? _pump;
    private WavRecorder? _recorder;
    private int _recordedCalls;

    private CallAudio(PeerConnectionFactoryOptions options, string? recordPath, string description)
    {
        Options = options;
        RecordPath = recordPath;
        Description = description;
    }

    public PeerConnectionFactoryOptions Options { get; }

    /// <summary>For the view: "microphone X, speaker Y", "file.wav", "no audio".</summary>
    public string Description { get; }

    /// <summary>True when the microphone and speaker are the sound server's (volume and device loss apply).</summary>
    public bool UsesSoundServer => Options.AudioDevice == AudioDeviceKind.PulseAudio;

    private string? RecordPath { get; }

    public static CallAudio Plan(AudioRequest request)
    {
        if (request.Record is { } record)
            CheckWritable(record);
        if (request.Play is { } play)
        {
            if (request.Microphone is not null || request.Speaker is not null)
                throw new CliException(ExitCode.Usage,
                    "--play takes the microphone's place and plays what you hear nowhere, so it cannot be combined with --microphone or --speaker; record what you hear with --record.");
            if (!File.Exists(play))
                throw new CliException(ExitCode.Usage, $"--play: '{Text.Escape(play)}' does not exist.");
            var format = WavFormat.Read(play);
            format.EnsurePlayable(play);
            return new CallAudio(new PeerConnectionFactoryOptions
            {
                AudioDevice = AudioDeviceKind.WavFile,
                WavInputPath = Path.GetFullPath(play),
                WavOutputPath = request.Record is null ? null : Path.GetFullPath(request.Record),
                SampleRate = format.SampleRate,
                Channels = format.Channels,
            }, null, $"playing {Path.GetFileName(play)}" + (request.Record is null ? "" : $", recording {Path.GetFileName(request.Record)}"));
        }
        if (request.NoAudio)
        {
            if (request.Microphone is not null || request.Speaker is not null)
                throw new CliException(ExitCode.Usage, "--no-audio uses no microphone or speaker; drop --microphone/--speaker or --no-audio.");
            return new CallAudio(new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual }, request.Record,
                "no audio (silence)" + (request.Record is null ? "" : $", recording {Path.GetFileName(request.Record)}"));
        }
        var devices = SoundDevices.Query(request.Server);
        var microphone = request.Microphone is { } m ? SoundDevices.Choose("--microphone", m, devices.Microphones) : devices.DefaultMicrophone?.Id;
        var speaker = request.Speaker is { } s ? SoundDevices.Choose("--speaker", s, devices.Speakers) : devices.DefaultSpeaker?.Id;
        if (microphone is null || speaker is null)
            throw new CliException(ExitCode.NoSoundDevice,
                $"The sound server has no {(microphone is null ? "microphone" : "speaker")}; choose one with {(microphone is null ? "--microphone" : "--speaker")} (see 'dialtone devices') or use --no-audio.");
        return new CallAudio(new PeerConnectionFactoryOptions
        {
            AudioDevice = AudioDeviceKind.PulseAudio,
            AudioServer = request.Server,
            InputDevice = microphone,
            OutputDevice = speaker,
            // Everything a softphone wants: AEC3, noise suppression, AGC2, high-pass filter.
            AudioProcessing = new AudioProcessingOptions(),
        }, request.Record is null ? null : Path.GetFullPath(request.Record),
            $"microphone {microphone}, speaker {speaker}" + (request.Record is null ? "" : $", recording {Path.GetFileName(request.Record)}"));
    }

    /// <summary>
    /// <c>listen --max-calls</c>: no device; each call plays and records by itself (<see cref="PerCallAudioPlan"/>).
    /// <paramref name="lean"/> (<c>--lean</c>): wideband Opus and shared media threads, one per 50 calls of
    /// <paramref name="maxCalls"/>, at most one per core — a held call costs its shared thread ~15 CPU-ms/s
    /// (docs/scale-out.md), and with few calls one thread wakes least.
    /// </summary>
    public static CallAudio PerCall(PerCallAudioPlan plan, int maxCalls, bool lean = false)
    {
        if (!lean)
            return new(PerCallAudioPlan.EngineOptions, null, plan.Description);
        var threads = Math.Clamp((maxCalls + 49) / 50, 1, Environment.ProcessorCount);
        return new(PerCallAudioPlan.EngineOptions with { OpusSampleRate = 16000, MediaThreads = threads }, null,
            $"{plan.Description}, lean engine (Opus at 16 kHz, {threads} shared media thread{(threads == 1 ? "" : "s")})");
    }

    /// <summary>A recording must be creatable before the call is placed, not fail in the middle of it.</summary>
    private static void CheckWritable(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new CliException(ExitCode.Usage, $"--record: '{Text.Escape(path)}' is a folder; give a file name such as call.wav.");
        var folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
            throw new CliException(ExitCode.Usage, $"--record: the folder '{Text.Escape(folder)}' does not exist.");
        try
        {
            // The file is about to be (over)written anyway; creating it now proves we may.
            using var probe = new FileStream(full, FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCode.Usage, $"--record: cannot write '{Text.Escape(path)}': {e.Message}", e);
        }
    }

    /// <summary>Starts feeding the virtual device, once the user agent (and so the device) exists.</summary>
    public void Start(PeerConnectionFactory factory)
    {
        if (factory.VirtualAudio is not { } device)
            return; // the WAV and sound-server devices run by themselves
        if (RecordPath is not null)
            _recorder = new WavRecorder(RecordPath, device.SampleRate, device.Channels);
        var recorder = _recorder;
        _pump = new AudioPump(device, frame => frame.Clear(), recorder is null ? null : frame => recorder.Write(frame));
    }

    /// <summary>
    /// With the sound server's devices and <c>--record</c>: records what the peer says in
    /// <paramref name="call"/> (its remote track, decoded, before the speaker's mix) until the returned
    /// sink is disposed — the first call to the file given, later calls of <c>listen</c> to
    /// <c>name-2.wav</c>, <c>name-3.wav</c>… Null when there is nothing to record this way (no
    /// <c>--record</c>, or the WAV and virtual devices, which record by themselves).
    /// </summary>
    public CallAudioSink? RecordPeer(Call call)
    {
        // A plain RTP / SDES call has no peer connection (and no per-track sink): the device records it or nothing does.
        if (RecordPath is null || !UsesSoundServer || call.LegacyMedia is not null || call.PeerConnection.Transceivers is not [var transceiver, ..])
            return null;
        var n = Interlocked.Increment(ref _recordedCalls);
        var path = n == 1
            ? RecordPath
            : Path.Combine(Path.GetDirectoryName(RecordPath)!, $"{Path.GetFileNameWithoutExtension(RecordPath)}-{n}{Path.GetExtension(RecordPath)}");
        return transceiver.CreateCallAudioSink(new CallAudioSinkOptions { WavOutputPath = path });
    }

    public async ValueTask DisposeAsync()
    {
        if (_pump is not null)
            await _pump.DisposeAsync().ConfigureAwait(false);
        _recorder?.Dispose();
    }
}
