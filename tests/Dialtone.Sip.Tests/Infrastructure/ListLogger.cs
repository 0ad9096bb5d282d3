using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Dialtone.Sip.Tests.Infrastructure;

/// <summary>Keeps every formatted log line (all levels) so tests can check what gets logged.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, string Text)> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue((logLevel, formatter(state, exception) + (exception is null ? "" : " " + exception)));

    public string All => string.Join("\n", Lines.Select(l => l.Text));
}
