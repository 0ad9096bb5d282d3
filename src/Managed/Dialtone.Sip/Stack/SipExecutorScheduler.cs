namespace Dialtone.Sip.Stack;

/// <summary>
/// A <see cref="TaskScheduler"/> that runs tasks as work items of one <see cref="SipExecutor"/>:
/// code started on it, and every <c>await</c> inside it (without ConfigureAwait(false)), continues
/// on the executor, one work item at a time. The session layer runs on it
/// (Sessions/SessionScheduler); the stack checks for it so that a response reaches session code as
/// one queued work item instead of through a thread-pool hop (see SipStack.CallersExecutorScheduler).
/// </summary>
internal class SipExecutorScheduler : TaskScheduler
{
    public SipExecutorScheduler(SipExecutor executor) => Executor = executor;

    public SipExecutor Executor { get; }

    protected override void QueueTask(Task task)
    {
        // After the stack is disposed, let the work run on the pool: it meets ObjectDisposedException
        // from the stack and ends, instead of leaving its callers waiting forever.
        if (!Executor.Post(() => TryExecuteTask(task)))
            ThreadPool.UnsafeQueueUserWorkItem(_ => TryExecuteTask(task), null);
    }

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task>? GetScheduledTasks() => null;

    /// <summary>
    /// Waits for <paramref name="task"/> from code on this scheduler, cancellably, without a thread-pool hop.
    /// <see cref="Task{TResult}.WaitAsync(CancellationToken)"/> completes its task from the pool
    /// (the tasks awaited here run their continuations asynchronously), so the waiting code would resume
    /// out of the executor's sight for a moment — out of order with its other work, and unseen by
    /// tests that settle virtual time by draining the executor. Here the completion is queued to the
    /// executor directly.
    /// </summary>
    public Task<T> WaitAsync<T>(Task<T> task, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled || task.IsCompleted)
            return task;
        // Completed on the executor (or by the canceller); its awaiter, code on this scheduler, queues itself to the executor.
        var result = new TaskCompletionSource<T>();
        var registration = cancellationToken.Register(() => result.TrySetCanceled(cancellationToken));
        task.ContinueWith(done =>
        {
            registration.Dispose();
            try
            {
                result.TrySetResult(done.GetAwaiter().GetResult());
            }
            catch (OperationCanceledException e)
            {
                result.TrySetCanceled(e.CancellationToken);
            }
            catch (Exception e)
            {
                result.TrySetException(e);
            }
        }, CancellationToken.None, TaskContinuationOptions.None, this);
        return result.Task;
    }

    /// <summary>True when the calling code runs on this scheduler.</summary>
    public bool IsCurrent => Current == this;
}
