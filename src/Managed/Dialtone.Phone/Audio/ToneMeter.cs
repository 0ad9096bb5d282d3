namespace Dialtone.Phone.Audio;

/// <summary>
/// Listens for one frequency in a stream of frames and counts the frames where it dominates —
/// how the demo and the tests prove that audio crossed a call. Thread-safe to read while fed.
/// </summary>
public sealed class ToneMeter(double frequencyHz, int sampleRateHz, double threshold = 0.5)
{
    private readonly GoertzelFilter _filter = new(frequencyHz, sampleRateHz);
    private long _frames;
    private long _toneFrames;

    public double FrequencyHz => _filter.FrequencyHz;

    /// <summary>Frames examined.</summary>
    public long Frames => Interlocked.Read(ref _frames);

    /// <summary>Frames in which the tone carried at least the threshold share of the energy.</summary>
    public long ToneFrames => Interlocked.Read(ref _toneFrames);

    /// <summary>The tone was heard for at least <paramref name="duration"/> in total (10 ms frames).</summary>
    public bool Heard(TimeSpan duration) => ToneFrames * 10 >= duration.TotalMilliseconds;

    public void Process(ReadOnlySpan<short> frame)
    {
        Interlocked.Increment(ref _frames);
        if (_filter.RelativePower(frame) >= threshold)
            Interlocked.Increment(ref _toneFrames);
    }

    public void Reset()
    {
        Interlocked.Exchange(ref _frames, 0);
        Interlocked.Exchange(ref _toneFrames, 0);
    }
}
