using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Dialtone.Sip.Stack;

/// <summary>
/// The stack's single serialized executor: a Channel-fed loop that runs one work item at a time,
/// so transactions, dialogs and timers never need locks. Work items must not block; an item
/// that throws is logged and the loop continues.
/// </summary>
internal sealed class SipExecutor : IAsyncDisposable
{
    private readonly Channel<Action> _queue = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly Task _loop;
    private long _itemsRun;

    public SipExecutor(ILogger logger)
    {
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues work; returns false after disposal (the work will never run).</summary>
    public bool Post(Action action) => _queue.Writer.TryWrite(action);

    /// <summary>How many work items have run so far (tests compare it across drains to see the executor idle).</summary>
    public long ItemsRun => Interlocked.Read(ref _itemsRun);

    /// <summary>Completes after every item queued before the call has run (tests use it to settle virtual time).</summary>
    public Task DrainAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(() => done.TrySetResult()))
            done.TrySetResult();
        return done.Task;
    }

    /// <summary>Runs <paramref name="func"/> on the executor and returns its result.</summary>
    public Task<T> InvokeAsync<T>(Func<T> func)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var posted = _queue.Writer.TryWrite(() =>
        {
            try
            {
                done.TrySetResult(func());
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        });
        if (!posted)
            done.TrySetException(new ObjectDisposedException(nameof(SipStack)));
        return done.Task;
    }

    private async Task RunAsync()
    {
        await foreach (var action in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Unhandled error in a SIP stack work item");
            }
            Interlocked.Increment(ref _itemsRun);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }
}
