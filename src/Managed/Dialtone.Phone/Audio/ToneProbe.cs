using System.Diagnostics;
using Dialtone.WebRtc;

namespace Dialtone.Phone.Audio;

/// <summary>
/// A loopback check of a call's audio through a virtual device: says a steady tone into the
/// microphone (or silence), and listens in the speaker for the peer's tone and for DTMF digits.
/// What the demo, the tests and the benchmarks use to prove audio crossed a call.
/// </summary>
public sealed class ToneProbe : IAsyncDisposable
{
    private readonly AudioPump _pump;
    private readonly DtmfDetector _dtmf;
    private readonly List<char> _digits = [];

    /// <param name="sayHz">The tone we send; 0 for silence.</param>
    /// <param name="listenHz">The tone we expect to hear.</param>
    public ToneProbe(VirtualAudioDevice device, double sayHz, double listenHz)
    {
        ArgumentNullException.ThrowIfNull(device);
        var voice = sayHz > 0 ? new ToneGenerator(sayHz, device.SampleRate) : null;
        Hears = new ToneMeter(listenHz, device.SampleRate);
        _dtmf = new DtmfDetector(device.SampleRate);
        _pump = new AudioPump(device,
            frame =>
            {
                if (voice is null)
                    frame.Clear();
                else
                    voice.Fill(frame);
            },
            frame =>
            {
                Hears.Process(frame);
                if (_dtmf.Process(frame) is { } digit)
                    lock (_digits)
                        _digits.Add(digit);
            });
    }

    /// <summary>How much of the peer's tone was heard.</summary>
    public ToneMeter Hears { get; }

    /// <summary>DTMF digits heard so far, in order.</summary>
    public string Digits
    {
        get
        {
            lock (_digits)
                return new string(_digits.ToArray());
        }
    }

    /// <summary>Waits until the peer's tone was heard for <paramref name="duration"/> in total; false after <paramref name="within"/>.</summary>
    public async Task<bool> HearsToneAsync(TimeSpan duration, TimeSpan within, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (!Hears.Heard(duration))
        {
            if (clock.Elapsed > within)
                return false;
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>Waits until <paramref name="count"/> digits were heard; returns them (fewer after <paramref name="within"/>).</summary>
    public async Task<string> WaitForDigitsAsync(int count, TimeSpan within, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (Digits.Length < count && clock.Elapsed < within)
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        return Digits;
    }

    public void ClearDigits()
    {
        lock (_digits)
            _digits.Clear();
    }

    public ValueTask DisposeAsync() => _pump.DisposeAsync();
}
