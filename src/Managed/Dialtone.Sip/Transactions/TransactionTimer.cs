namespace Dialtone.Sip.Transactions;

/// <summary>
/// One named transaction timer on the injected <see cref="TimeProvider"/>. When it fires, its
/// action is queued on the executor; a stopped or restarted timer never runs a stale action.
/// </summary>
internal sealed class TransactionTimer(ITransactionHost host, string name, Action onFire) : IDisposable
{
    private ITimer? _timer;
    private int _generation;

    public string Name { get; } = name;

    /// <summary>The interval used by the last <see cref="Start"/>, for doubling (A, E, G).</summary>
    public TimeSpan Interval { get; private set; }

    public bool IsRunning => _timer is not null;

    public void Start(TimeSpan due)
    {
        Stop();
        Interval = due;
        var generation = ++_generation;
        if (due <= TimeSpan.Zero)
        {
            // Zero-length timers (D, I, J, K on reliable transports) run as the next queued step.
            _ = host.Post(() => Fire(generation));
            return;
        }
        _timer = host.Time.CreateTimer(_ => _ = host.Post(() => Fire(generation)), null, due, Timeout.InfiniteTimeSpan);
    }

    public void Stop()
    {
        _generation++;
        _timer?.Dispose();
        _timer = null;
    }

    private void Fire(int generation)
    {
        if (generation != _generation)
            return;
        _timer?.Dispose();
        _timer = null;
        onFire();
    }

    public void Dispose() => Stop();
}
