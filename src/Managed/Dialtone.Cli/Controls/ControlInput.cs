using System.Threading.Channels;
using Spectre.Console;

namespace Dialtone.Cli.Controls;

/// <summary>
/// Where the controls of a command come from: keys at a terminal, else lines on standard input
/// (<see cref="CommandLineInput"/>), else nowhere. One per command run; calls read from it in turn.
/// </summary>
internal sealed class ControlInput : IAsyncDisposable
{
    private readonly Channel<Control> _controls = Channel.CreateUnbounded<Control>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly KeyMap? _keys;
    private readonly Task _reader;
    private volatile bool _ringing;

    private ControlInput(CliHost host)
    {
        if (host.InputIsTerminal)
        {
            _keys = new KeyMap();
            _reader = Task.Run(() => KeyboardInput.RunAsync(_keys, _controls.Writer, () => { }, _stop.Token));
        }
        else if (host.Input is { } lines)
        {
            _reader = Task.Run(() => CommandLineInput.RunAsync(lines, _controls.Writer, _stop.Token));
        }
        else
        {
            _reader = Task.CompletedTask;
        }
        HasInput = host.InputIsTerminal || host.Input is not null;
    }

    public static ControlInput Start(CliHost host) => new(host);

    /// <summary>False when nothing can send controls (no terminal, no standard input).</summary>
    public bool HasInput { get; }

    public ChannelReader<Control> Reader => _controls.Reader;

    /// <summary>The footer offers answer/reject while a call rings, the call keys otherwise.</summary>
    public bool Ringing
    {
        set => _ringing = value;
    }

    /// <summary>The live view's footer: the keys that work now, or the transfer address being typed.</summary>
    public string Footer()
    {
        if (_keys is null)
            return "";
        if (_keys.Typing is { } typing)
            return $"[bold]transfer to:[/] {Markup.Escape(typing)}[blink]_[/]   [grey](Enter transfers, Esc cancels)[/]";
        return _ringing ? KeyMap.RingingFooter : KeyMap.CallFooter;
    }

    /// <summary>Drops controls given while nothing listened (keys pressed between calls).</summary>
    public void DiscardPending()
    {
        while (_controls.Reader.TryRead(out _))
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        // A ReadLine on a pipe cannot always be interrupted; do not wait for it.
        await Task.WhenAny(_reader, Task.Delay(200)).ConfigureAwait(false);
    }
}
