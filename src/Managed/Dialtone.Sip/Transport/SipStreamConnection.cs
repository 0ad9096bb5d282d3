using System.Net;
using Microsoft.Extensions.Logging;

namespace Dialtone.Sip.Transport;

/// <summary>
/// One TCP or TLS connection: a read loop that frames messages, serialized writes, and (when we
/// opened it) RFC 5626 CRLF keep-alives whose missing pong declares the flow dead.
/// </summary>
internal sealed class SipStreamConnection : IAsyncDisposable
{
    private static readonly byte[] Ping = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] Pong = "\r\n"u8.ToArray();

    private readonly Stream _stream;
    private readonly SipStreamTransportOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _cts = new();
    private readonly SipStreamFramer _framer;
    private readonly Action<SipStreamConnection, ReadOnlySpan<byte>> _onMessage;
    private readonly Action<SipStreamConnection, Exception?> _onClosed;
    private TaskCompletionSource? _pongWaiter;
    private Task _readLoop = Task.CompletedTask;
    private Task _keepAliveLoop = Task.CompletedTask;
    private Task _idleLoop = Task.CompletedTask;
    private long _lastReceived;
    private int _closed;

    public SipStreamConnection(
        Stream stream,
        SipEndPoint remote,
        SipStreamTransportOptions options,
        ILogger logger,
        Action<SipStreamConnection, ReadOnlySpan<byte>> onMessage,
        Action<SipStreamConnection, Exception?> onClosed)
    {
        _stream = stream;
        Remote = remote;
        _options = options;
        _logger = logger;
        _onMessage = onMessage;
        _onClosed = onClosed;
        _framer = new SipStreamFramer(options.MaxMessageSize);
    }

    /// <summary>The peer, with this connection's id set.</summary>
    public SipEndPoint Remote { get; }

    public string Id => Remote.ConnectionId!;

    public IPEndPoint RemoteAddress => Remote.Address;

    /// <summary>True for a connection the peer opened to our listener.</summary>
    public bool Incoming { get; init; }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <param name="sendKeepAlives">We opened it: we keep it alive (RFC 5626 §4.4.1).</param>
    /// <param name="idleTimeout">Close it when the peer sent nothing (not even a keep-alive) for this long.</param>
    public void Start(bool sendKeepAlives, TimeSpan? idleTimeout = null)
    {
        _lastReceived = _options.TimeProvider.GetTimestamp();
        _readLoop = Task.Run(ReadLoopAsync);
        if (sendKeepAlives)
            StartKeepAlives();
        if (idleTimeout is { } idle)
            _idleLoop = Task.Run(() => IdleLoopAsync(idle));
    }

    /// <summary>Starts the RFC 5626 keep-alives on a started connection (after <see cref="ProbeAsync"/>, when one was made).</summary>
    public void StartKeepAlives()
    {
        if (_options.KeepAliveInterval is { } interval && !IsClosed)
            _keepAliveLoop = Task.Run(() => KeepAliveLoopAsync(interval));
    }

    /// <summary>
    /// Sends one keep-alive ping at once and waits for its pong (the keep-alives' pong wait): proof
    /// that the SIP server itself reads this connection, not just its kernel. Closes the connection
    /// and throws <see cref="SipTransportException"/> when no pong comes. Needs keep-alives configured.
    /// </summary>
    public async Task ProbeAsync()
    {
        var interval = _options.KeepAliveInterval ?? throw new InvalidOperationException("a probe needs KeepAliveInterval");
        var pongWait = KeepAliveSchedule.PongWait(interval, _options.KeepAlivePongTimeout);
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _pongWaiter, waiter);
        try
        {
            await SendAsync(Ping, CancellationToken.None).ConfigureAwait(false);
            await waiter.Task.WaitAsync(pongWait, _options.TimeProvider, _cts.Token).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var silent = new SipTransportException($"{Remote} accepted the connection but did not answer a keep-alive within {pongWait}: the SIP server is not reading it");
            Close(silent);
            throw silent;
        }
        catch (OperationCanceledException)
        {
            throw new SipTransportException($"connection {Remote} closed before it answered a keep-alive");
        }
    }

    private async Task IdleLoopAsync(TimeSpan idleTimeout)
    {
        var time = _options.TimeProvider;
        try
        {
            while (!_cts.IsCancellationRequested)
            {
                var quiet = time.GetElapsedTime(Interlocked.Read(ref _lastReceived));
                if (quiet >= idleTimeout)
                {
                    _logger.LogInformation("Closing connection {Remote}: nothing received for {Idle}", Remote, idleTimeout);
                    Close(new SipTransportException($"connection {Remote} idle for {idleTimeout}"));
                    return;
                }
                await Task.Delay(idleTimeout - quiet, time, _cts.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_cts.IsCancellationRequested)
        {
        }
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cts.Token);
        try
        {
            await _writeLock.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SipTransportException($"connection {Remote} is closed");
        }
        try
        {
            await _stream.WriteAsync(data, linked.Token).ConfigureAwait(false);
            await _stream.FlushAsync(linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException ||
                                   (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Close(ex);
            throw new SipTransportException($"sending to {Remote} failed: {ex.Message}", ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        Exception? failure = null;
        try
        {
            while (!_cts.IsCancellationRequested)
            {
                var read = await _stream.ReadAsync(_framer.GetReceiveBuffer(), _cts.Token).ConfigureAwait(false);
                if (read == 0)
                    break;
                Interlocked.Exchange(ref _lastReceived, _options.TimeProvider.GetTimestamp());
                _framer.Commit(read);
                await DrainFramesAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_cts.IsCancellationRequested)
        {
        }
        catch (SipFramingException ex)
        {
            _logger.LogWarning("Dropping connection {Remote}: {Reason}", Remote, ex.Message);
            failure = ex;
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        Close(failure);
    }

    private async ValueTask DrainFramesAsync()
    {
        while (true)
        {
            var sendPong = false;
            var done = false;
            // Frames are handled synchronously (spans cannot cross an await); replies after.
            switch (_framer.TryRead(out var message))
            {
                case SipStreamFrameKind.None:
                    done = true;
                    break;
                case SipStreamFrameKind.Message:
                    DeliverMessage(message);
                    break;
                case SipStreamFrameKind.Ping:
                    sendPong = true;
                    break;
                case SipStreamFrameKind.Pong:
                    Interlocked.Exchange(ref _pongWaiter, null)?.TrySetResult();
                    break;
            }
            if (done)
                return;
            if (sendPong)
                await SendAsync(Pong, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private void DeliverMessage(ReadOnlySpan<byte> message)
    {
        try
        {
            _onMessage(this, message);
        }
        catch (Exception ex)
        {
            // A bug above must not kill the connection's read loop.
            _logger.LogError(ex, "SIP message handler failed for a message from {Remote}", Remote);
        }
    }

    private async Task KeepAliveLoopAsync(TimeSpan interval)
    {
        var time = _options.TimeProvider;
        var pongWait = KeepAliveSchedule.PongWait(interval, _options.KeepAlivePongTimeout);
        var period = KeepAliveSchedule.PingPeriod(interval, _options.KeepAlivePongTimeout);
        try
        {
            while (!_cts.IsCancellationRequested)
            {
                // RFC 5626 §4.4.1: each time a random value between 80 % and 100 % of the base, which
                // leaves room for the pong wait inside the interval.
                var delay = period * (0.8 + 0.2 * Random.Shared.NextDouble());
                await Task.Delay(delay, time, _cts.Token).ConfigureAwait(false);

                var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref _pongWaiter, waiter);
                await SendAsync(Ping, _cts.Token).ConfigureAwait(false);
                try
                {
                    await waiter.Task.WaitAsync(pongWait, time, _cts.Token).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    _logger.LogWarning("No keep-alive pong from {Remote} within {Timeout}; flow failed", Remote, pongWait);
                    Close(new SipTransportException($"keep-alive pong from {Remote} not received within {pongWait}"));
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_cts.IsCancellationRequested)
        {
        }
        catch (SipTransportException)
        {
            // SendAsync already closed the connection.
        }
    }

    public void Close(Exception? reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
            return;
        _cts.Cancel();
        try
        {
            _stream.Dispose();
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "Error disposing connection {Remote}", Remote);
        }
        _onClosed(this, reason);
    }

    public async ValueTask DisposeAsync()
    {
        Close(null);
        await Task.WhenAll(_readLoop, _keepAliveLoop).ConfigureAwait(false);
        // _cts is deliberately not disposed: a sender racing with the close may still read its
        // token, and must get SipTransportException ("closed"), not ObjectDisposedException.
    }
}
