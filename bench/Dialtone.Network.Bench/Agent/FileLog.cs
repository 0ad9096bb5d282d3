using Microsoft.Extensions.Logging;

namespace Dialtone.Network.Agent;

/// <summary>--log-file: the user agent's own log (Debug and up), one line per entry, for looking into a run.</summary>
internal sealed class FileLog(string path) : ILoggerProvider
{
    private readonly StreamWriter _writer = new(path, append: true) { AutoFlush = true };
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    private void Write(string line)
    {
        lock (_writer)
            _writer.WriteLine(line);
    }

    public void Dispose() => _writer.Dispose();

    private sealed class Logger(FileLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            log.Write($"{log._clock.ElapsedMilliseconds,8} {logLevel,-11} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.Message)}");
    }
}
