using System.Diagnostics;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Dialtone.Cli.Views;

/// <summary>
/// A table redrawn in place four times a second: one column per party, one row per figure, and
/// the latest events underneath. The last frame stays on screen when the view closes.
/// </summary>
internal sealed class LiveCallView : ICallView
{
    private const int EventsShown = 8;
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(250);
    private readonly string _title;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private readonly Queue<string> _events = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private IReadOnlyList<PartyStatus> _parties = [];
    private Func<string>? _footer;

    public LiveCallView(IAnsiConsole console, string title)
    {
        _title = title;
        _loop = console.Live(Render()).AutoClear(false).StartAsync(RunAsync);
    }

    public void Event(string who, string text)
    {
        lock (_lock)
        {
            _events.Enqueue($"[grey]{Format.Seconds(_clock.Elapsed)}[/] [bold]{Markup.Escape(who)}[/]: {Markup.Escape(text)}");
            while (_events.Count > EventsShown)
                _events.Dequeue();
        }
    }

    public void Update(IReadOnlyList<PartyStatus> parties)
    {
        lock (_lock)
            _parties = parties;
    }

    public void ShowFooter(Func<string> footer) => _footer = footer;

    private async Task RunAsync(LiveDisplayContext context)
    {
        while (!_stop.IsCancellationRequested)
        {
            context.UpdateTarget(Render());
            try
            {
                await Task.Delay(Refresh, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        context.UpdateTarget(Render());
    }

    private IRenderable Render()
    {
        IReadOnlyList<PartyStatus> parties;
        string[] events;
        lock (_lock)
        {
            parties = _parties;
            events = _events.ToArray();
        }
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(_title)}[/]");
        table.AddColumn(new TableColumn("").NoWrap());
        foreach (var party in parties)
            table.AddColumn(new TableColumn($"[bold]{Markup.Escape(party.Name)}[/]").NoWrap());
        Row("state", parties, p => StateMarkup(p.State));
        Row("codec", parties, p => Markup.Escape(p.Codec ?? Format.Unknown));
        Row("round trip", parties, p => Format.Ms(p.RoundTripMs));
        Row("jitter", parties, p => Format.Ms(p.JitterMs));
        Row("packet loss", parties, p => Format.Percent(p.LossPercent));
        if (parties.Any(p => p.Devices is not null))
        {
            Row("microphone", parties, p => p.Muted == true ? $"[red]muted[/] {Meter.Markup(p.MicrophoneLevel)}" : Meter.Markup(p.MicrophoneLevel));
            Row("speaker", parties, p => Meter.Markup(p.AudioLevel));
            Row("echo canceller", parties, p => Markup.Escape(Meter.EchoCanceller(p.EchoCanceller, p.Erle)));
            Row("volume", parties, p => p.MicrophoneVolume is { } mic && p.SpeakerVolume is { } spk
                ? $"microphone {mic * 100:0} %, speaker {spk * 100:0} %"
                : "[grey]fixed (no sound device)[/]");
            Row("audio", parties, p => Markup.Escape(p.Devices ?? Format.Unknown)
                + (p.DeviceProblem is { } problem ? $"\n[red]{Markup.Escape(problem)}[/]" : ""));
        }
        else
        {
            Row("audio level", parties, p => Format.Level(p.AudioLevel));
        }
        Row("MOS (E-model)", parties, p => Format.Mos(p.Mos));
        Row("packets in / out", parties, p => $"{Format.Count(p.PacketsReceived)} / {Format.Count(p.PacketsSent)}");
        if (parties.Any(p => p.ToneHeard is not null))
            Row("tone heard", parties, p => p.ToneHeard == true ? "[green]yes[/]" : Format.YesNo(p.ToneHeard));
        if (parties.Any(p => p.DigitsHeard is not null))
            Row("DTMF heard", parties, p => Markup.Escape(p.DigitsHeard is { Length: > 0 } d ? d : Format.Unknown));

        var log = events.Length == 0 ? new Markup("[grey]…[/]") : new Markup(string.Join('\n', events));
        return _footer?.Invoke() is { Length: > 0 } footer
            ? new Rows(table, log, new Rule().RuleStyle("grey"), new Markup(footer))
            : new Rows(table, log);

        void Row(string label, IReadOnlyList<PartyStatus> all, Func<PartyStatus, string> cell) =>
            table.AddRow(new IRenderable[] { new Markup($"[grey]{label}[/]") }.Concat(all.Select(p => (IRenderable)new Markup(cell(p)))).ToArray());
    }

    private static string StateMarkup(string state) => state switch
    {
        "established" => "[green]established[/]",
        "on hold" => "[yellow]on hold[/]",
        "ended" => "[grey]ended[/]",
        _ => Markup.Escape(state),
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
