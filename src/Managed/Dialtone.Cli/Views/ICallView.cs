namespace Dialtone.Cli.Views;

/// <summary>
/// Where a running call (or the demo's two calls) is shown: a live Spectre table at a terminal,
/// timestamped lines otherwise. Thread-safe: events come from call and timer threads.
/// </summary>
internal interface ICallView : IAsyncDisposable
{
    /// <summary>Something happened ("bob: answered"); kept in order with a timestamp.</summary>
    void Event(string who, string text);

    /// <summary>The latest figures of every party shown.</summary>
    void Update(IReadOnlyList<PartyStatus> parties);

    /// <summary>A line under the events, read at every redraw: the keys that work now. The plain log has none.</summary>
    void ShowFooter(Func<string> footer)
    {
    }
}

/// <summary>Chooses the view: live only when a person watches a terminal.</summary>
internal static class CallViews
{
    public static ICallView Create(CliHost host, bool live, string title) =>
        live && host.OutputIsTerminal && host.Console.Profile.Capabilities.Ansi
            ? new LiveCallView(host.Console, title)
            : new PlainCallLog(host.Out);
}
