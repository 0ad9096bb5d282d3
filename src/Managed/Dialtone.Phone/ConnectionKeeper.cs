using Dialtone.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace Dialtone.Phone;

/// <summary>
/// Brings the flow to the server back after it is lost (RFC 5626 §4.5): reconnects the WebSocket
/// (TCP/TLS reconnect on the next send), then registers again so the server can reach us over the
/// new flow. Waits grow exponentially with jitter between attempts, as JsSIP's transport does, so a
/// restarting server is not hammered by every client at the same instant.
/// </summary>
internal sealed partial class ConnectionKeeper : IDisposable
{
    private static readonly TimeSpan FirstWait = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(30);

    private readonly UserAgent _ua;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposed = new();
    private int _recovering;

    public ConnectionKeeper(UserAgent ua)
    {
        _ua = ua;
        _logger = ua.LoggerFactory.CreateLogger<ConnectionKeeper>();
        ua.Connection.Transport.ConnectionClosed += OnConnectionClosed;
    }

    /// <summary>Raised when the flow is lost (false) and when it is back and registered again (true).</summary>
    public event Action<bool, Exception?>? FlowChanged;

    private void OnConnectionClosed(SipEndPoint remote, Exception? error)
    {
        if (_disposed.IsCancellationRequested || Interlocked.Exchange(ref _recovering, 1) == 1)
            return;
        Log.FlowLost(_logger, remote.ToString(), error?.Message ?? "closed");
        FlowChanged?.Invoke(false, error);
        _ = RecoverAsync();
    }

    private async Task RecoverAsync()
    {
        var wait = FirstWait;
        try
        {
            for (var attempt = 1; !_disposed.IsCancellationRequested; attempt++)
            {
                var jittered = TimeSpan.FromMilliseconds(wait.TotalMilliseconds * (0.5 + Random.Shared.NextDouble()));
                await Task.Delay(jittered, _ua.Options.TimeProvider, _disposed.Token).ConfigureAwait(false);
                try
                {
                    if (_ua.Connection.Transport is SipWebSocketTransport webSocket)
                        await webSocket.ConnectAsync(_disposed.Token).ConfigureAwait(false);
                    if (_ua.WantsRegistration)
                        await _ua.RegisterAsync(_disposed.Token).ConfigureAwait(false);
                    Log.FlowRecovered(_logger, attempt);
                    Interlocked.Exchange(ref _recovering, 0);
                    FlowChanged?.Invoke(true, null);
                    return;
                }
                catch (Exception e) when (e is SipTransportException or Sip.Transactions.SipTransactionTimeoutException or SipRegistrationException or InvalidOperationException)
                {
                    Log.RecoveryFailed(_logger, attempt, e.Message);
                    wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, LongestWait.Ticks));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed while waiting.
        }
    }

    public void Dispose()
    {
        _ua.Connection.Transport.ConnectionClosed -= OnConnectionClosed;
        _disposed.Cancel();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "lost the flow to {Remote}: {Reason}; reconnecting")]
        public static partial void FlowLost(ILogger logger, string remote, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "flow to the server recovered after {Attempts} attempt(s)")]
        public static partial void FlowRecovered(ILogger logger, int attempts);

        [LoggerMessage(Level = LogLevel.Information, Message = "reconnect attempt {Attempt} failed: {Error}")]
        public static partial void RecoveryFailed(ILogger logger, int attempt, string error);
    }
}
