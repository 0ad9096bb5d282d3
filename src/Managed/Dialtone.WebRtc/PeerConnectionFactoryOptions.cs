namespace Dialtone.WebRtc;

/// <summary>
/// Switches of libwebrtc's AudioProcessing module applied to captured audio. Change them at run time
/// with <see cref="PeerConnectionFactory.SetAudioProcessing"/>.
/// </summary>
public sealed record AudioProcessingOptions
{
    /// <summary>AEC3 acoustic echo cancellation.</summary>
    public bool EchoCancellation { get; init; } = true;

    public bool NoiseSuppression { get; init; } = true;

    public NoiseSuppressionLevel NoiseSuppressionLevel { get; init; } = NoiseSuppressionLevel.Moderate;

    /// <summary>AGC2, adaptive digital gain.</summary>
    public bool AutoGainControl { get; init; } = true;

    public bool HighPassFilter { get; init; } = true;

    /// <summary>Everything off: what a test that measures tones wants.</summary>
    public static AudioProcessingOptions Disabled { get; } = new()
    {
        EchoCancellation = false,
        NoiseSuppression = false,
        AutoGainControl = false,
        HighPassFilter = false,
    };
}

/// <summary>Options of <see cref="PeerConnectionFactory"/>, validated when the factory is created.</summary>
public sealed record PeerConnectionFactoryOptions
{
    /// <summary>
    /// Where the event delivery of this factory's peer connections logs an event handler that threw
    /// (it is logged and the next event still delivered). Null: not logged.
    /// </summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }

    public AudioDeviceKind AudioDevice { get; init; } = AudioDeviceKind.None;

    /// <summary>PCM rate at the application side of the virtual and WAV devices.</summary>
    public int SampleRate { get; init; } = 48000;

    /// <summary>1 (mono) or 2 (interleaved stereo).</summary>
    public int Channels { get; init; } = 1;

    /// <summary><see cref="AudioDeviceKind.WavFile"/>: the 16-bit PCM WAV played as the microphone.</summary>
    public string? WavInputPath { get; init; }

    /// <summary>Start the input file over at its end.</summary>
    public bool LoopWavInput { get; init; }

    /// <summary><see cref="AudioDeviceKind.WavFile"/>: where the speaker is recorded (null: not recorded).</summary>
    public string? WavOutputPath { get; init; }

    public AudioProcessingOptions AudioProcessing { get; init; } = new();

    /// <summary>
    /// <see cref="AudioDeviceKind.PulseAudio"/>: the server ("unix:/run/user/1000/pulse/native",
    /// "tcp:host:4713"); null: libpulse's default (e.g. <c>$PULSE_SERVER</c>).
    /// </summary>
    public string? AudioServer { get; init; }

    /// <summary><see cref="AudioDeviceKind.PulseAudio"/>: the microphone by <see cref="AudioDeviceInfo.Id"/> or description; null: the server's default.</summary>
    public string? InputDevice { get; init; }

    /// <summary><see cref="AudioDeviceKind.PulseAudio"/>: the speaker by <see cref="AudioDeviceInfo.Id"/> or description; null: the server's default.</summary>
    public string? OutputDevice { get; init; }

    /// <summary>
    /// Certificate authorities (PEM "CERTIFICATE" blocks: roots or intermediates) trusted for the TLS
    /// certificate of a <c>turns:</c> ICE server, besides libwebrtc's built-in roots — for a TURN server
    /// whose certificate comes from a private CA. The server's host name is still checked. Null: the
    /// built-in roots only (a private CA is refused). Text that is not PEM fails the factory's creation.
    /// </summary>
    public string? TlsTrustedCertificates { get; init; }

    /// <summary>
    /// 48000 (fullband, the default: what a softphone wants) or 16000: the rate at which every call's
    /// Opus encoder takes audio and its decoder and jitter buffer produce it. 16000 is wideband (audio
    /// up to 8 kHz, what telephony, TTS and speech recognition use): the lean choice for a bot holding
    /// many calls, since 16-kHz call audio (<see cref="CallAudioSourceOptions.SampleRate"/>) is then never
    /// resampled and the jitter buffer works on a third of the samples (docs/scale-out.md has the
    /// figures). The SDP still offers <c>opus/48000/2</c>, so any peer can call either way; at 16000 its
    /// fmtp declares <c>maxplaybackrate=16000;sprop-maxcapturerate=16000</c> (RFC 7587), so a browser or
    /// libwebrtc peer encodes wideband for it instead of fullband it would not hear.
    /// </summary>
    public int OpusSampleRate { get; init; } = 48000;

    /// <summary>
    /// Threads that run the calls' send-side work (Opus encoding, pacing, the transport controller).
    /// 0 (the default): libwebrtc's own, three threads per call, each woken every 10–20 ms. 1..64: that
    /// many threads shared by every WebRTC call of this factory (plain RTP/SDES calls keep libwebrtc's
    /// own), so a 10 ms frame of many calls costs a few wake-ups instead of three per call (measured in
    /// docs/scale-out.md: with 10 calls the wake-ups cost more CPU than the encoding). A slow task then
    /// delays the other calls on its thread. A held call costs its shared thread ~15 CPU-ms per second,
    /// and every extra thread adds wake-ups: about one per 50 calls, at most one per core (with 10 calls
    /// on 2 cores, 1 thread measured 25.6 CPU-ms per call-second against 37.8 for 2).
    /// </summary>
    public int MediaThreads { get; init; }

    /// <summary>
    /// libwebrtc's network, worker and signalling threads. 0 (the default) or 3: three threads, as in
    /// Chrome. 1: one thread is all three, so libwebrtc's many blocking calls between them while a call
    /// is set up and torn down run inline instead of waking another thread each, and received packets
    /// are not handed from one to the other — the choice for many short calls (bots, load generators):
    /// measured ~205 → ~95 thread wake-ups and ~12 → ~9 CPU-ms per call set up and torn down
    /// (docs/scale-out.md). Everything libwebrtc does outside the media and audio threads then shares one
    /// core, and a slow offer/answer or statistics report delays every call's packets meanwhile.
    /// </summary>
    public int EngineThreads { get; init; }

    internal void Validate()
    {
        if (OpusSampleRate is not (16000 or 48000))
        {
            throw new ArgumentOutOfRangeException(nameof(OpusSampleRate), OpusSampleRate, "must be 16000 or 48000");
        }

        if (MediaThreads is < 0 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(MediaThreads), MediaThreads, "must be 0 (a thread per task queue) or 1..64");
        }

        if (EngineThreads is not (0 or 1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(EngineThreads), EngineThreads, "must be 0 or 3 (network, worker and signalling threads) or 1 (one for all three)");
        }

        if (SampleRate is not (8000 or 16000 or 32000 or 44100 or 48000))
        {
            throw new ArgumentOutOfRangeException(nameof(SampleRate), SampleRate, "must be 8000, 16000, 32000, 44100 or 48000");
        }

        if (Channels is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(Channels), Channels, "must be 1 or 2");
        }

        if (AudioDevice == AudioDeviceKind.WavFile)
        {
            if (string.IsNullOrEmpty(WavInputPath))
            {
                throw new ArgumentException("The WAV device needs WavInputPath.");
            }

            if (!File.Exists(WavInputPath))
            {
                throw new FileNotFoundException("The WAV input file does not exist.", WavInputPath);
            }
        }
        else if (WavInputPath is not null || WavOutputPath is not null)
        {
            throw new ArgumentException("WAV paths are only used with AudioDeviceKind.WavFile.");
        }

        if (AudioDevice != AudioDeviceKind.PulseAudio && (AudioServer is not null || InputDevice is not null || OutputDevice is not null))
        {
            throw new ArgumentException("AudioServer, InputDevice and OutputDevice are only used with AudioDeviceKind.PulseAudio.");
        }

        if (!Enum.IsDefined(AudioDevice))
        {
            throw new ArgumentOutOfRangeException(nameof(AudioDevice), AudioDevice, "unknown audio device kind");
        }
    }
}
