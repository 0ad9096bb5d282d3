using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dialtone.Sip.Events;

/// <summary>
/// How every Dialtone object raises its events (one queue per object): in the order they were
/// raised, one handler call at a time, on a thread-pool thread — never on the SIP stack's executor
/// or a libwebrtc thread, which user code must neither block nor throw into. A handler that throws
/// is logged through the <see cref="ILogger"/> and the next event is still delivered; an
/// <c>async void</c> handler's later exception is caught the same way (handlers run under a
/// synchronization context that logs what reaches it), so no handler failure is lost or fatal.
/// </summary>
public sealed partial class OrderedEventQueue
{
    private readonly Channel<Action> _queue = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
    private readonly ILogger _logger;
    private readonly string _owner;
    private readonly ObservingContext _context;
    private int _started;

    /// <param name="logger">Where handler failures go.</param>
    /// <param name="owner">Names the object in those log lines.</param>
    public OrderedEventQueue(ILogger? logger, string owner)
    {
        _logger = logger ?? NullLogger.Instance;
        _owner = owner;
        _context = new ObservingContext(this);
    }

    /// <summary>Queues <paramref name="handler"/>(sender, args); does nothing when there is no handler.</summary>
    public void Raise<T>(object sender, EventHandler<T>? handler, T args)
    {
        if (handler is null)
            return;
        Post(() => handler(sender, args));
    }

    /// <summary>Queues any delivery work (a channel write, a callback) behind the events already queued.</summary>
    public void Post(Action action)
    {
        _queue.Writer.TryWrite(action);
        if (Interlocked.Exchange(ref _started, 1) == 0)
            _ = Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var action))
                _context.Run(action);
        }
    }

    private void HandlerFailed(Exception e) => Log.HandlerFailed(_logger, _owner, e);

    /// <summary>
    /// The context handlers run under: an <c>async void</c> handler posts its continuations and its
    /// final exception here (instead of crashing the process on the thread pool), and we log it.
    /// </summary>
    private sealed class ObservingContext(OrderedEventQueue owner) : SynchronizationContext
    {
        public void Run(Action action)
        {
            var previous = Current;
            SetSynchronizationContext(this);
            try
            {
                action();
            }
            catch (Exception e)
            {
                owner.HandlerFailed(e);
            }
            finally
            {
                SetSynchronizationContext(previous);
            }
        }

        public override void Post(SendOrPostCallback d, object? state) =>
            ThreadPool.UnsafeQueueUserWorkItem(_ => Run(() => d(state)), null);

        public override void Send(SendOrPostCallback d, object? state) => Run(() => d(state));

        public override SynchronizationContext CreateCopy() => this;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "{Owner}: an event handler threw")]
        public static partial void HandlerFailed(ILogger logger, string owner, Exception e);
    }
}
