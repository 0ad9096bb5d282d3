using Dialtone.Phone;

namespace Dialtone.Cli.Views;

/// <summary>
/// Follows one party's current call for the view: its state, and its stats every time
/// <see cref="SampleAsync"/> runs. Without a call it keeps the last figures and a state text.
/// </summary>
internal class CallMonitor(string name)
{
    private readonly Lock _lock = new();
    private PartyStatus _status = new(name);
    private Call? _call;

    public string Name { get; } = name;

    public Call? Call
    {
        get
        {
            lock (_lock)
                return _call;
        }
        set
        {
            lock (_lock)
                _call = value;
        }
    }

    /// <summary>A state shown while there is no call ("registered", "waiting for calls").</summary>
    public void SetState(string state)
    {
        lock (_lock)
            _status = _status with { State = state };
    }

    public PartyStatus Status
    {
        get
        {
            lock (_lock)
                return Decorate(_status);
        }
    }

    /// <summary>Refreshes the figures from the call's stats (no-op without a live call).</summary>
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        var call = Call;
        if (call is null)
            return;
        if (call.State is CallState.Ended)
        {
            SetState(PartyStatus.Describe(call.State));
            return;
        }
        if (call.LegacyMedia is { } legacy)
        {
            // Plain RTP / SDES calls have no peer connection: their figures come from the RTP session.
            try
            {
                var statistics = legacy.GetStatistics();
                lock (_lock)
                    _status = StatsReader.ApplyLegacy(_status, call, legacy.Negotiated, statistics);
            }
            catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or Dialtone.WebRtc.WebRtcException)
            {
                SetState(PartyStatus.Describe(call.State));
            }
            return;
        }
        try
        {
            var report = await call.GetStatsAsync(cancellationToken).ConfigureAwait(false);
            lock (_lock)
                _status = StatsReader.Apply(_status, call, report);
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or Dialtone.WebRtc.WebRtcException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The call ended between the check and the query: its media is gone; keep the last figures.
            SetState(PartyStatus.Describe(call.State));
        }
    }

    /// <summary>Adds what a subclass measures itself (tones, digits).</summary>
    protected virtual PartyStatus Decorate(PartyStatus status) => status;
}
