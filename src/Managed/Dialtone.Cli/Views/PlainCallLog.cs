using System.Diagnostics;

namespace Dialtone.Cli.Views;

/// <summary>
/// The view for logs and CI: one line per event, and every two seconds one line of figures per
/// party, each prefixed by the time since the start.
/// </summary>
internal sealed class PlainCallLog(TextWriter output) : ICallView
{
    private static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(2);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private TimeSpan _lastStatus = TimeSpan.FromSeconds(-10);

    public void Event(string who, string text) => Write($"{who}: {text}");

    public void Update(IReadOnlyList<PartyStatus> parties)
    {
        lock (_lock)
        {
            if (_clock.Elapsed - _lastStatus < StatusInterval)
                return;
            _lastStatus = _clock.Elapsed;
        }
        // Figures start with a call; before it there is nothing to say that the events do not.
        foreach (var p in parties.Where(p => p.PacketsReceived is not null))
        {
            var line = $"{p.Name}: {p.State}, {p.Codec ?? Format.Unknown}, rtt {Format.Ms(p.RoundTripMs)}, jitter {Format.Ms(p.JitterMs)}, "
                + $"loss {Format.Percent(p.LossPercent)}, level {Format.Level(p.AudioLevel)}, MOS {Format.Mos(p.Mos)}, "
                + $"packets in/out {Format.Count(p.PacketsReceived)}/{Format.Count(p.PacketsSent)}";
            if (p.Devices is not null)
            {
                line += $", microphone {Format.Level(p.MicrophoneLevel)}{(p.Muted == true ? " (muted)" : "")}, echo canceller {Meter.EchoCanceller(p.EchoCanceller, p.Erle)}";
                if (p.DeviceProblem is { } problem)
                    line += $", {problem}";
            }
            if (p.ToneHeard is not null)
                line += $", tone heard {Format.YesNo(p.ToneHeard)}";
            if (p.DigitsHeard is not null)
                line += (p.DigitsHeard.Length == 0 ? ", no DTMF heard" : $", DTMF heard \"{p.DigitsHeard}\"");
            Write(line);
        }
    }

    private void Write(string line)
    {
        lock (_lock)
        {
            output.WriteLine($"[{Format.Seconds(_clock.Elapsed)}] {line}");
            output.Flush();
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
