namespace Dialtone.Sip.Stack;

/// <summary>
/// A <see cref="TaskScheduler"/> that runs tasks as work items of one <see cref="SipExecutor"/>:
/// code started on it, and every <c>await</c> inside it (without ConfigureAwait(false)), continues
/// on the executor, one work item at a time. The session layer runs on it
/// (Sessions/SessionScheduler); the stack checks for it so that a response reaches session code as
/// one queued work item instead of through a thread-pool hop (see SipStack.ResumeOnExecutor).
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

    /// <summary>True when the calling code runs on this scheduler.</summary>
    public bool IsCurrent => Current == this;
}
