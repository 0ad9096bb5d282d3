using System.Diagnostics;
using Dialtone.WebRtc;

namespace Dialtone.Phone.Audio;

/// <summary>Writes the next 10 ms of microphone audio into <paramref name="frame"/>.</summary>
public delegate void AudioSource(Span<short> frame);

/// <summary>Receives 10 ms of speaker audio; <paramref name="frame"/> is valid only during the call.</summary>
public delegate void AudioSink(ReadOnlySpan<short> frame);

/// <summary>
/// Feeds a <see cref="VirtualAudioDevice"/> in real time: every 10 ms it asks the source for a
/// microphone frame and hands the sink a speaker frame. It catches up by wall-clock time rather than
/// trusting timer ticks, so scheduling jitter never turns into lost or doubled audio. It runs on one
/// dedicated thread sleeping to an absolute schedule — a thread-pool timer costs several times the
/// CPU for the same job (docs/benchmarks.md). One frame buffer, no allocation per frame.
/// </summary>
public sealed class AudioPump : IAsyncDisposable
{
    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(10);
    private readonly VirtualAudioDevice _device;
    private readonly AudioSource? _source;
    private readonly AudioSink? _sink;
    private readonly Thread _thread;
    private volatile bool _stopping;

    public AudioPump(VirtualAudioDevice device, AudioSource? source, AudioSink? sink)
    {
        _device = device;
        _source = source;
        _sink = sink;
        _thread = new Thread(Run) { IsBackground = true, Name = "dialtone-audio-pump" };
        _thread.Start();
    }

    /// <summary>Frames exchanged so far.</summary>
    public long Frames { get; private set; }

    private void Run()
    {
        var frame = new short[_device.SamplesPer10Ms];
        var clock = Stopwatch.StartNew();
        try
        {
            while (!_stopping)
            {
                var due = (long)(clock.Elapsed / Frame);
                // After a long stall, skip ahead instead of bursting seconds of audio at once.
                if (due - Frames > 20)
                    Frames = due - 20;
                for (; Frames < due; Frames++)
                    Exchange(frame);
                var next = Frame * (Frames + 1) - clock.Elapsed;
                if (next > TimeSpan.Zero)
                    Thread.Sleep(next);
            }
        }
        catch (ObjectDisposedException)
        {
            // The factory went away first: nothing left to feed.
        }
    }

    private void Exchange(short[] frame)
    {
        if (_source is not null)
        {
            _source(frame);
            _device.PushCapture(frame);
        }
        var read = _device.PullPlayout(frame);
        if (read < frame.Length)
            Array.Clear(frame, read, frame.Length - read); // playout underrun: silence
        _sink?.Invoke(frame);
    }

    public ValueTask DisposeAsync()
    {
        _stopping = true;
        if (Thread.CurrentThread != _thread)
            _thread.Join();
        return ValueTask.CompletedTask;
    }
}
