using Dialtone.Sip.Stack;

namespace Dialtone.Sip.Sessions;

/// <summary>
/// Runs session code on the SIP stack's executor: a task started here, and every <c>await</c>
/// inside it (without ConfigureAwait(false)), continues on the executor, one work item at a time.
/// So the session layer's state needs no locks, like the transactions below it. Public methods
/// enter through <see cref="RunAsync{T}"/>, whose task completes off the executor, so user
/// continuations never run on it.
/// </summary>
internal sealed class SessionScheduler : SipExecutorScheduler
{
    public SessionScheduler(SipExecutor executor)
        : base(executor)
    {
    }

    /// <summary>Runs <paramref name="work"/> on the executor; the returned task completes on the thread pool.</summary>
    public Task<T> RunAsync<T>(Func<Task<T>> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task.Factory.StartNew(async () =>
        {
            try
            {
                done.TrySetResult(await work());
            }
            catch (OperationCanceledException e)
            {
                done.TrySetCanceled(e.CancellationToken);
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        }, CancellationToken.None, TaskCreationOptions.DenyChildAttach, this);
        return done.Task;
    }

    public Task RunAsync(Func<Task> work) => RunAsync(async () =>
    {
        await work();
        return true;
    });

    /// <summary>Starts background session work on the executor (its failures are the work's own to handle).</summary>
    public void Start(Func<Task> work) =>
        _ = Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.DenyChildAttach, this).Unwrap();
}
