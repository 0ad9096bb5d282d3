using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dialtone.WebRtc.Interop;

/// <summary>
/// Delivers one peer connection's events to user code, in the order the native side raised them,
/// on a thread-pool thread: native callbacks only enqueue here, so no user code ever runs on a
/// libwebrtc thread and a slow handler cannot stall media. After <see cref="StopAsync"/> no further
/// event is delivered. A handler that throws is logged (the same rule as Dialtone.Sip's
/// OrderedEventQueue) and delivery goes on.
/// </summary>
internal sealed partial class EventDispatcher
{
    [ThreadStatic]
    private static EventDispatcher? current;

    private readonly Channel<Action> queue = Channel.CreateUnbounded<Action>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });

    private readonly Task loop;
    private volatile bool stopped;

    private readonly ILogger logger;

    public EventDispatcher(ILogger? logger = null)
    {
        this.logger = logger ?? NullLogger.Instance;
        loop = Task.Run(RunAsync);
    }

    public void Post(Action action)
    {
        if (!stopped)
        {
            queue.Writer.TryWrite(action);
        }
    }

    /// <summary>Stops delivery; waits for a handler in progress unless called from one.</summary>
    public Task StopAsync()
    {
        stopped = true;
        queue.Writer.TryComplete();
        return current == this ? Task.CompletedTask : loop;
    }

    private async Task RunAsync()
    {
        var reader = queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var action))
            {
                if (stopped)
                {
                    continue;
                }

                current = this;
                try
                {
                    action();
                }
                catch (Exception e)
                {
                    // An exception thrown by an application's event handler must not end event
                    // delivery for the connection (there is no caller to hand it to): it is logged.
                    HandlerFailed(logger, e);
                }
                finally
                {
                    current = null;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "a peer connection event handler threw")]
    private static partial void HandlerFailed(ILogger logger, Exception e);
}
