namespace Dialtone.Phone;

/// <summary>
/// Raises one object's events in order on thread-pool threads: they are raised from the SIP executor
/// and from media callbacks, which user code must neither block nor throw into, and a handler must
/// see, say, DTMF digits in the order they arrived.
/// </summary>
internal sealed class EventQueue(Action<Exception> onHandlerError)
{
    private readonly Lock _lock = new();
    private Task _tail = Task.CompletedTask;

    public void Raise<T>(object sender, EventHandler<T>? handler, T args)
    {
        if (handler is null)
            return;
        lock (_lock)
        {
            _tail = _tail.ContinueWith(_ =>
            {
                try
                {
                    handler(sender, args);
                }
                catch (Exception e)
                {
                    onHandlerError(e);
                }
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }
}
