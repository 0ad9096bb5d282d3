using Dialtone.Sip.Sessions;
using Microsoft.Extensions.Logging;

namespace Dialtone.Phone;

// After RFC 5626 flow recovery, every surviving call tells its peer how to reach us again (a
// re-INVITE with our Contact). A single attempt is not enough in practice: the peer may have lost
// its flow too and be between reconnecting and re-registering, and a server resumed from a freeze
// may still route to one of the peer's dead flows until the peer's next REGISTER. Each call's
// refresh is therefore retried, a bounded number of times, a little apart.
public sealed partial class UserAgent
{
    /// <summary>Attempts per call (the first included) to refresh its target after a flow recovery.</summary>
    private const int RefreshAttempts = 5;

    /// <summary>The pause between two attempts: 1–2 s (jittered, so the two sides of a call drift apart).</summary>
    private static TimeSpan RefreshRetryDelay() => TimeSpan.FromMilliseconds(1000 + Random.Shared.Next(1000));

    /// <param name="iceRestart">After a network change: the re-INVITE also restarts ICE.</param>
    private async Task RefreshEveryCallAsync(bool iceRestart)
    {
        var sessions = await _sessions.GetSessionsAsync().ConfigureAwait(false);
        await Task.WhenAll(sessions.Select(session => RefreshWithRetriesAsync(session, iceRestart))).ConfigureAwait(false);
    }

    private async Task RefreshWithRetriesAsync(Session session, bool iceRestart)
    {
        for (int attempt = 1; ; attempt++)
        {
            if (session.State is not (SessionState.Established or SessionState.OnHold))
                return;
            try
            {
                await session.RefreshTargetAsync(iceRestart).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (attempt < RefreshAttempts)
            {
                RecoveryLog.RefreshRetry(_logger, session.CallId, attempt, e.Message);
            }
            catch (Exception e)
            {
                Log.RefreshFailed(_logger, $"call {session.CallId}: {e.Message}");
                return;
            }
            await Task.Delay(RefreshRetryDelay(), Options.TimeProvider).ConfigureAwait(false);
        }
    }

    private static partial class RecoveryLog
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "call {CallId}: target refresh attempt {Attempt} failed ({Error}); trying again")]
        public static partial void RefreshRetry(ILogger logger, string callId, int attempt, string error);
    }
}
