using Dialtone.Phone.Media;
using Dialtone.WebRtc;

namespace Dialtone.Phone.Audio;

/// <summary>
/// One call's own audio (<see cref="Call.Audio"/>): what it sends, when the user agent runs in per-call
/// mode (<see cref="UserAgentOptions.Audio"/> with <see cref="AudioDeviceKind.PerCall"/>: no sound card,
/// no sound server), and what the peer says in this call alone, in any mode.
/// <list type="bullet">
/// <item><see cref="Source"/> / <see cref="Push"/> / <see cref="PlayWav"/>: mono 16-bit PCM at
/// <see cref="CallMediaOptions.CallAudio"/>'s rate (8, 16 or 48 kHz), or a WAV file; silence when it has nothing.</item>
/// <item><see cref="CreateSink"/> / <see cref="Record"/>: the peer's decoded audio, read as PCM or written to a WAV file.</item>
/// </list>
/// The source and every sink are released with the call's media, shortly after <see cref="Call.Ended"/>;
/// await <see cref="Call.MediaReleased"/> (or dispose a recording yourself) to know its file is complete. WebRTC calls only: a plain RTP/SDES call
/// (<see cref="Call.LegacyMedia"/>) throws <see cref="InvalidOperationException"/>.
/// </summary>
public sealed class CallAudio
{
    private readonly WebRtcMediaHandler? _media;

    internal CallAudio(WebRtcMediaHandler? media) => _media = media;

    /// <summary>True when this call sends its own audio (<see cref="Source"/>); false on a shared device, where the device's microphone is sent.</summary>
    public bool HasOwnSource => _media?.HasOwnAudio == true;

    /// <summary>What this call sends (per-call mode). Push PCM or play a WAV file into it.</summary>
    /// <exception cref="InvalidOperationException">The user agent shares one audio device, or this is a plain RTP call.</exception>
    public CallAudioSource Source
    {
        get
        {
            var media = Media();
            if (!media.HasOwnAudio)
                throw new InvalidOperationException(
                    "This user agent's calls share its audio device; per-call sources need UserAgentOptions.Audio with AudioDevice = AudioDeviceKind.PerCall.");
            return media.CallTrack?.Source ?? throw new InvalidOperationException("The call has no audio track yet.");
        }
    }

    /// <summary>The rate of the PCM <see cref="Push"/> takes.</summary>
    public int SampleRate => Source.SampleRate;

    /// <summary>Appends mono PCM at <see cref="SampleRate"/> (any chunk size; never blocks, does not allocate); stops a WAV file that was playing.</summary>
    public void Push(ReadOnlySpan<short> samples) => Source.Push(samples);

    /// <summary>Plays a 16-bit PCM WAV file (mono or stereo, 8–48 kHz) to the peer from its start, once or in a loop.</summary>
    public void PlayWav(string path, bool loop = false) => Source.PlayWav(path, loop);

    /// <summary>Plays a WAV file once; completes when it has been sent to its end.</summary>
    public Task PlayWavAsync(string path, CancellationToken cancellationToken = default) => Source.PlayWavAsync(path, cancellationToken);

    /// <summary>
    /// Starts receiving what the peer says in this call alone, decoded, mono at
    /// <see cref="CallAudioSinkOptions.SampleRate"/>; read it with <see cref="CallAudioSink.Read"/> (or give a
    /// <see cref="CallAudioSinkOptions.WavOutputPath"/> to record). Audio flows once the media is connected.
    /// </summary>
    public CallAudioSink CreateSink(CallAudioSinkOptions? options = null) => Media().CreateSink(options ?? new CallAudioSinkOptions());

    /// <summary>Records what the peer says in this call to a 16-bit mono WAV file; the file is complete when the sink is disposed.</summary>
    public CallAudioSink Record(string wavPath, int sampleRate = 16000)
    {
        ArgumentException.ThrowIfNullOrEmpty(wavPath);
        return CreateSink(new CallAudioSinkOptions { SampleRate = sampleRate, WavOutputPath = Path.GetFullPath(wavPath) });
    }

    private WebRtcMediaHandler Media() => _media
        ?? throw new InvalidOperationException("This call's media is plain RTP or SDES-SRTP (Call.LegacyMedia), which has no per-call audio.");
}
