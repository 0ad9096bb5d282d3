namespace Dialtone.WebRtc;

/// <summary>
/// Options of a per-call audio source (<see cref="PeerConnection.AddCallAudioTrack"/>), validated when
/// the track is added.
/// </summary>
public sealed record CallAudioSourceOptions
{
    /// <summary>Rate of the mono PCM pushed with <see cref="CallAudioSource.Push"/>: 8000, 16000 or 48000 Hz.</summary>
    public int SampleRate { get; init; } = 48000;

    /// <summary>
    /// Processing of this call's sent audio only. Default: everything off (<see cref="AudioProcessingOptions.Disabled"/>),
    /// which is what a bot wants. Echo cancellation, when on, takes this call's own received audio as its reference.
    /// </summary>
    public AudioProcessingOptions AudioProcessing { get; init; } = AudioProcessingOptions.Disabled;

    /// <summary>How much pushed audio the source holds before dropping the oldest (20 ms .. 10 s).</summary>
    public TimeSpan Buffer { get; init; } = TimeSpan.FromSeconds(1);

    internal void Validate()
    {
        CallAudioValidation.Rate(SampleRate, nameof(SampleRate));
        CallAudioValidation.Buffer(Buffer, nameof(Buffer));
        ArgumentNullException.ThrowIfNull(AudioProcessing, nameof(AudioProcessing));
    }
}

/// <summary>Options of a per-call audio sink (<see cref="RtpTransceiverAudioExtensions.CreateCallAudioSink"/>).</summary>
public sealed record CallAudioSinkOptions
{
    /// <summary>Rate the call's audio is read (or recorded) at: 8000, 16000 or 48000 Hz; always mono.</summary>
    public int SampleRate { get; init; } = 48000;

    /// <summary>
    /// Null: the application reads with <see cref="CallAudioSink.Read"/>. Otherwise the 16-bit mono WAV
    /// file the call's received audio is recorded to (completed when the sink is disposed).
    /// </summary>
    public string? WavOutputPath { get; init; }

    /// <summary>How much received audio the sink holds for the reader before dropping the oldest (20 ms .. 10 s).</summary>
    public TimeSpan Buffer { get; init; } = TimeSpan.FromSeconds(1);

    internal void Validate()
    {
        CallAudioValidation.Rate(SampleRate, nameof(SampleRate));
        CallAudioValidation.Buffer(Buffer, nameof(Buffer));
        if (WavOutputPath is { Length: 0 })
        {
            throw new ArgumentException("WavOutputPath is empty; use null to read the audio instead.", nameof(WavOutputPath));
        }
    }
}

internal static class CallAudioValidation
{
    public static void Rate(int rate, string name)
    {
        if (rate is not (8000 or 16000 or 48000))
        {
            throw new ArgumentOutOfRangeException(name, rate, "per-call audio runs at 8000, 16000 or 48000 Hz");
        }
    }

    public static void Buffer(TimeSpan buffer, string name)
    {
        if (buffer < TimeSpan.FromMilliseconds(20) || buffer > TimeSpan.FromSeconds(10))
        {
            throw new ArgumentOutOfRangeException(name, buffer, "must be 20 ms .. 10 s");
        }
    }
}
