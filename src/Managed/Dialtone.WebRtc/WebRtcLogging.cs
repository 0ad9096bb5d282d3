using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Dialtone.Bindings;
using Dialtone.WebRtc.Interop;
using Microsoft.Extensions.Logging;

namespace Dialtone.WebRtc;

/// <summary>
/// Routes libwebrtc's own log lines (process-wide) to an <see cref="ILogger"/>. Lines arrive on
/// libwebrtc's threads and are only enqueued there; the logger is called from one background loop.
/// </summary>
public static unsafe partial class WebRtcLogging
{
    private static readonly Lock Gate = new();
    private static Channel<(LogLevel Level, string Message)>? queue;
    private static Task? pump;

    /// <summary>Installs <paramref name="logger"/> for lines at <paramref name="minimumLevel"/> and above; null removes it.</summary>
    public static void SetLogger(ILogger? logger, LogLevel minimumLevel = LogLevel.Warning)
    {
        NativeLibraryLoader.EnsureLoaded();
        lock (Gate)
        {
            // Remove the old sink first: after dt_set_log_callback returns, it is not called again.
            ThrowHelper.ThrowIfFailed(WebRtcShim.dt_set_log_callback(null, null, DtLogSeverity.None), "dt_set_log_callback");
            queue?.Writer.TryComplete();
            queue = null;
            if (logger is null || minimumLevel >= LogLevel.None)
            {
                return;
            }

            var channel = Channel.CreateBounded<(LogLevel, string)>(new BoundedChannelOptions(10_000)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
            });
            queue = channel;
            pump = Task.Run(() => PumpAsync(channel.Reader, logger));
            ThrowHelper.ThrowIfFailed(WebRtcShim.dt_set_log_callback(&OnLogNative, null, ToSeverity(minimumLevel)), "dt_set_log_callback");
        }
    }

    private static DtLogSeverity ToSeverity(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => DtLogSeverity.Verbose,
        LogLevel.Information => DtLogSeverity.Info,
        LogLevel.Warning => DtLogSeverity.Warning,
        _ => DtLogSeverity.Error,
    };

    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void OnLogNative(void* userData, DtLogSeverity severity, byte* message)
    {
        try
        {
            var level = severity switch
            {
                DtLogSeverity.Verbose => LogLevel.Debug,
                DtLogSeverity.Info => LogLevel.Information,
                DtLogSeverity.Warning => LogLevel.Warning,
                _ => LogLevel.Error,
            };
            Volatile.Read(ref queue)?.Writer.TryWrite((level, Utf8.FromNullTerminated(message).TrimEnd()));
        }
        catch (Exception)
        {
            // Nothing may cross into native code.
        }
    }
}

// The awaiting part (no unsafe code may sit in an async method).
public static partial class WebRtcLogging
{
    private static async Task PumpAsync(ChannelReader<(LogLevel Level, string Message)> reader, ILogger logger)
    {
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var line))
            {
                try
                {
                    logger.Log(line.Level, "libwebrtc: {Message}", line.Message);
                }
                catch (Exception)
                {
                    // A failing logger must not stop the loop.
                }
            }
        }
    }
}
