namespace Dialtone.Sip.Transport;

/// <summary>
/// When keep-alive pings go out so that a dead flow is found within the configured keep-alive
/// interval (the bound the docs state), not up to an interval plus the pong timeout later: the
/// pong wait is at most half the interval, and pings go out every interval minus that wait.
/// </summary>
internal static class KeepAliveSchedule
{
    /// <summary>How long to wait for the pong: the configured timeout, at most half the interval.</summary>
    public static TimeSpan PongWait(TimeSpan interval, TimeSpan pongTimeout) =>
        pongTimeout < interval / 2 ? pongTimeout : interval / 2;

    /// <summary>The time between pings: a silent peer is then declared dead at most one interval after it went silent.</summary>
    public static TimeSpan PingPeriod(TimeSpan interval, TimeSpan pongTimeout) => interval - PongWait(interval, pongTimeout);
}
