using Dialtone.Phone.Audio;
using Dialtone.WebRtc;

namespace Dialtone.Bots.Tests;

/// <summary>Reads a call's sink in 10 ms frames and counts the frames where each of some tones dominates.</summary>
internal sealed class ToneListener
{
    private readonly CallAudioSink _sink;
    private readonly Dictionary<double, ToneMeter> _meters;

    public ToneListener(CallAudioSink sink, params double[] tones)
    {
        _sink = sink;
        _meters = tones.ToDictionary(t => t, t => new ToneMeter(t, sink.SampleRate));
    }

    public long Frames { get; private set; }

    public long ToneFrames(double tone) => _meters[tone].ToneFrames;

    /// <summary>Reads until <paramref name="tone"/> dominated <paramref name="frames"/> frames (bounded by <paramref name="within"/>).</summary>
    public async Task<bool> HearAsync(double tone, int frames, TimeSpan within)
    {
        var frame = new short[_sink.SampleRate / 100];
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            while (_sink.Read(frame) == frame.Length)
            {
                Frames++;
                foreach (var meter in _meters.Values)
                    meter.Process(frame);
            }
            if (_meters[tone].ToneFrames >= frames)
                return true;
            await Task.Delay(20);
        }
        return false;
    }
}
