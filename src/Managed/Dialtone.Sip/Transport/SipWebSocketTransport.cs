using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dialtone.Sip.Transport;

/// <summary>
/// SIP over WebSocket (RFC 7118) as a client: one connection to a <c>ws://</c> or <c>wss://</c>
/// URI, subprotocol <c>sip</c>, one SIP message per WebSocket message (sent as text), Via
/// <c>WS</c>/<c>WSS</c> with a random <c>.invalid</c> host. When the connection is lost
/// <see cref="ConnectionClosed"/> is raised; <see cref="ConnectAsync(CancellationToken)"/> opens
/// a new one on the same transport object (RFC 5626 flow recovery is driven from above).
/// </summary>
public sealed class SipWebSocketTransport : ISipTransport
{
    public const string SubProtocol = "sip";

    private readonly SipWebSocketOptions _options;
    private readonly ILogger _logger;
    private readonly SipCertificateValidator _validator;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private Connection? _current;
    private long _connectionCount;

    public SipWebSocketTransport(Uri serverUri, SipWebSocketOptions? options = null, ILogger<SipWebSocketTransport>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(serverUri);
        Kind = serverUri.Scheme switch
        {
            "ws" => SipTransportKind.Ws,
            "wss" => SipTransportKind.Wss,
            _ => throw new ArgumentException($"a SIP WebSocket URI is ws:// or wss://, not {serverUri.Scheme}://", nameof(serverUri)),
        };
        ServerUri = serverUri;
        _options = options ?? new SipWebSocketOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _validator = new SipCertificateValidator(_options.Tls);
        LocalHostPort = new SipHostPort(InvalidHost.Create(), null);
    }

    /// <summary>Creates a transport and opens its connection.</summary>
    public static async Task<SipWebSocketTransport> ConnectAsync(
        Uri serverUri, SipWebSocketOptions? options = null, ILogger<SipWebSocketTransport>? logger = null,
        CancellationToken cancellationToken = default)
    {
        var transport = new SipWebSocketTransport(serverUri, options, logger);
        try
        {
            await transport.ConnectAsync(cancellationToken).ConfigureAwait(false);
            return transport;
        }
        catch
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public SipTransportKind Kind { get; }

    public Uri ServerUri { get; }

    /// <summary>A random <c>.invalid</c> host that stays the same across reconnections (RFC 7118 §5.2).</summary>
    public SipHostPort LocalHostPort { get; }

    /// <summary>The server as a SIP endpoint (its resolved address), while connected.</summary>
    public SipEndPoint? RemoteEndPoint => _current?.Remote;

    public bool IsConnected => _current is { Socket.State: WebSocketState.Open };

    public event SipFrameReceivedHandler? FrameReceived;

    public event Action<SipEndPoint, Exception?>? ConnectionClosed;

    /// <summary>
    /// Opens the WebSocket (again, after a loss). Throws <see cref="SipTransportException"/> when
    /// the server cannot be reached, its certificate is not accepted, or it does not speak the
    /// <c>sip</c> subprotocol.
    /// </summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsConnected)
                return;
            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            _current = connection;
            connection.ReceiveLoop = Task.Run(() => ReceiveLoopAsync(connection));
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private async Task<Connection> OpenAsync(CancellationToken cancellationToken)
    {
        IPEndPoint? remote = null;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectTimeout = _options.ConnectTimeout,
            ConnectCallback = async (context, ct) =>
            {
                // Connect ourselves so we know which address the flow goes to (used as the
                // message source the layer above sees).
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, ct).ConfigureAwait(false);
                    remote = SipStreamTransport.Normalize((IPEndPoint)socket.RemoteEndPoint!);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, cert, chain, errors) => _validator.Validate(cert, chain, errors),
                ClientCertificates = _options.Tls.ClientCertificates,
            },
        };
        var invoker = new HttpMessageInvoker(handler, disposeHandler: true);
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(SubProtocol);
        if (_options.KeepAliveInterval is { } interval)
        {
            // Ping often enough that a silent server is found within the interval itself.
            socket.Options.KeepAliveInterval = KeepAliveSchedule.PingPeriod(interval, _options.KeepAliveTimeout);
            socket.Options.KeepAliveTimeout = KeepAliveSchedule.PongWait(interval, _options.KeepAliveTimeout);
        }
        else
        {
            socket.Options.KeepAliveInterval = TimeSpan.Zero;
        }
        foreach (var (name, value) in _options.RequestHeaders ?? new Dictionary<string, string>())
            socket.Options.SetRequestHeader(name, value);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(ServerUri, invoker, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or OperationCanceledException)
        {
            socket.Dispose();
            invoker.Dispose();
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
                throw;
            var reason = ex is OperationCanceledException ? "timed out" : Describe(ex);
            throw new SipTransportException($"cannot open WebSocket to {ServerUri}: {reason}", ex);
        }

        if (socket.SubProtocol != SubProtocol)
        {
            // RFC 7118 §4.1: without the negotiated "sip" subprotocol this is not a SIP server.
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.ProtocolError, "sip subprotocol required", CancellationToken.None)
                    .WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or TimeoutException or IOException)
            {
            }
            socket.Dispose();
            invoker.Dispose();
            throw new SipTransportException(
                $"WebSocket server {ServerUri} did not accept the '{SubProtocol}' subprotocol (RFC 7118 §4.1)");
        }

        var id = $"{Kind.ViaToken().ToLowerInvariant()}{Interlocked.Increment(ref _connectionCount)}";
        var address = remote ?? new IPEndPoint(IPAddress.None, ServerUri.Port);
        var endPoint = new SipEndPoint(Kind, address, id) { HostName = ServerUri.IdnHost };
        _logger.LogDebug("WebSocket {Id} open to {Uri} ({Remote})", id, ServerUri, address);
        return new Connection(socket, invoker, endPoint);
    }

    private static string Describe(Exception ex)
    {
        var messages = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
            messages.Add(e.Message);
        return string.Join(" → ", messages.Distinct());
    }

    public async ValueTask SendAsync(SipEndPoint destination, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        if (destination.Kind != Kind)
            throw new SipTransportException($"a {Kind.ViaToken()} transport cannot send to {destination}");
        var connection = _current;
        if (connection is null || connection.Socket.State != WebSocketState.Open)
            throw new SipTransportException($"WebSocket to {ServerUri} is not connected");
        if (destination.ConnectionId is { } id && id != connection.Remote.ConnectionId)
            throw new SipTransportException($"connection {destination} is closed");

        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.Socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            throw new SipTransportException($"sending over WebSocket to {ServerUri} failed: {ex.Message}", ex);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReceiveLoopAsync(Connection connection)
    {
        var socket = connection.Socket;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(_options.MaxMessageSize, 16 * 1024));
        Exception? failure = null;
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= _options.MaxMessageSize)
                    {
                        failure = new SipTransportException($"WebSocket message exceeds the {_options.MaxMessageSize}-byte limit");
                        await CloseQuietlyAsync(socket, WebSocketCloseStatus.MessageTooBig, "message too big").ConfigureAwait(false);
                        break;
                    }
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _options.MaxMessageSize));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var result = await socket.ReceiveAsync(buffer.AsMemory(length), _disposed.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    failure = new SipTransportException(
                        $"WebSocket closed by server: {socket.CloseStatus} {socket.CloseStatusDescription}".TrimEnd());
                    await CloseQuietlyAsync(socket, WebSocketCloseStatus.NormalClosure, "").ConfigureAwait(false);
                    break;
                }
                length += result.Count;
                if (!result.EndOfMessage)
                    continue;
                Deliver(connection, buffer.AsSpan(0, length));
                length = 0;
            }
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Any other end is a lost flow; e.g. a missed keep-alive pong surfaces as an
            // OperationCanceledException ("Aborted") wrapping the WebSocketException.
            failure = new SipTransportException($"WebSocket to {ServerUri} lost: {Describe(ex)}", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        socket.Dispose();
        connection.Invoker.Dispose();
        // A connection replaced on purpose (ReconnectAsync) is not a failed flow.
        if (!_disposed.IsCancellationRequested && !connection.Replaced)
        {
            _logger.LogDebug("WebSocket {Remote} closed: {Reason}", connection.Remote, failure?.Message);
            try
            {
                ConnectionClosed?.Invoke(connection.Remote, failure);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "ConnectionClosed handler failed");
            }
        }
    }

    private void Deliver(Connection connection, ReadOnlySpan<byte> message)
    {
        // RFC 7118 allows text or binary frames; either carries exactly one SIP message.
        try
        {
            FrameReceived?.Invoke(this, connection.Remote, message);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "SIP message handler failed for a message from {Remote}", connection.Remote);
        }
    }

    private static async Task CloseQuietlyAsync(WebSocket socket, WebSocketCloseStatus status, string description)
    {
        try
        {
            await socket.CloseOutputAsync(status, description, CancellationToken.None)
                .WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or TimeoutException or ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Replaces the current connection with a new one, without reporting the old one as a failed
    /// flow: after a network change it sits on an address that may be gone and would be noticed dead
    /// only by a missed keep-alive. The new connection leaves from the current address.
    /// </summary>
    public async Task ReconnectAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_current is { } old)
            {
                old.Replaced = true;
                old.Socket.Abort();
            }
        }
        finally
        {
            _connectLock.Release();
        }
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops the current connection abruptly, as a network failure would (for tests of flow recovery).</summary>
    public void Abort() => _current?.Socket.Abort();

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
            return;
        var connection = _current;
        if (connection is { Socket.State: WebSocketState.Open })
            await CloseQuietlyAsync(connection.Socket, WebSocketCloseStatus.NormalClosure, "").ConfigureAwait(false);
        _disposed.Cancel();
        if (connection is not null)
        {
            connection.Socket.Abort();
            await connection.ReceiveLoop.ConfigureAwait(false);
        }
    }

    private sealed class Connection(ClientWebSocket socket, HttpMessageInvoker invoker, SipEndPoint remote)
    {
        public ClientWebSocket Socket { get; } = socket;
        public HttpMessageInvoker Invoker { get; } = invoker;
        public SipEndPoint Remote { get; } = remote;
        public Task ReceiveLoop { get; set; } = Task.CompletedTask;
        public bool Replaced { get; set; }
    }
}
