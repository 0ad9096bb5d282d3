using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dialtone.Cli.Configuration;

/// <summary>
/// <c>--verbose</c>: every log line (SIP traces are at Debug) to standard error, so standard output
/// stays clean for scripts. Off, nothing is logged at all.
/// </summary>
internal static class Logging
{
    public static ILoggerFactory Create(bool verbose) => verbose
        ? LoggerFactory.Create(builder => builder
            .SetMinimumLevel(LogLevel.Debug)
            .AddSimpleConsole(o => { o.SingleLine = false; o.TimestampFormat = "HH:mm:ss.fff "; })
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace))
        : NullLoggerFactory.Instance;
}
