using Microsoft.Extensions.Time.Testing;

namespace Dialtone.Sip.Tests.Infrastructure;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that counts the timers started on it by due time. Code under
/// test may start a timer on another thread after the step that caused it (the stack's send path
/// continues on the thread pool, which settling the executors does not wait for); a test that moves
/// the clock before then starts that timer late. Waiting for it to be created first keeps virtual time exact.
/// </summary>
internal sealed class TimerRecordingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly List<TimeSpan> _dueTimes = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_dueTimes)
            _dueTimes.Add(dueTime);
        return base.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>How many timers were started so far with this due time (Task.Delay on this provider starts one).</summary>
    public int TimersStarted(TimeSpan dueTime)
    {
        lock (_dueTimes)
            return _dueTimes.Count(d => d == dueTime);
    }
}
