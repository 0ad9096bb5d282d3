using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dialtone.Sip.Transport;

/// <summary>
/// SIP over TCP or TLS (RFC 3261 §18): client connections opened on demand and reused per remote
/// address, an optional listener, Content-Length framing with a size cap, and RFC 5626 CRLF
/// keep-alives on the connections we open (a new TCP one is used once its first ping was answered).
/// </summary>
public sealed class SipStreamTransport : ISipTransport
{
    private readonly SipStreamTransportOptions _options;
    private readonly ILogger _logger;
    private readonly SipCertificateValidator _validator;
    private readonly ConcurrentDictionary<string, SipStreamConnection> _byId = new();
    private readonly ConcurrentDictionary<IPEndPoint, SipStreamConnection> _byAddress = new();
    private readonly ConcurrentDictionary<IPEndPoint, Lazy<Task<SipStreamConnection>>> _connecting = new();
    private readonly CancellationTokenSource _disposed = new();
    private readonly ConcurrentDictionary<string, bool> _dropping = new();
    private readonly ConcurrentDictionary<IPEndPoint, bool> _connectedTo = new();
    private readonly SipHostPort _clientHostPort;
    private TcpListener? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private long _nextId;
    private int _incoming;
    private long _refusedConnections;

    public SipStreamTransport(SipTransportKind kind, SipStreamTransportOptions? options = null, ILogger<SipStreamTransport>? logger = null)
    {
        if (kind is not (SipTransportKind.Tcp or SipTransportKind.Tls))
            throw new ArgumentException("a stream transport is TCP or TLS", nameof(kind));
        Kind = kind;
        _options = options ?? new SipStreamTransportOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _validator = new SipCertificateValidator(_options.Tls);
        _clientHostPort = new SipHostPort(InvalidHost.Create(), null);
    }

    public SipTransportKind Kind { get; }

    public SipHostPort LocalHostPort =>
        _options.AdvertisedHostPort
        ?? (ListenEndPoint is { } listen ? new SipHostPort(FormatHost(listen.Address), listen.Port) : _clientHostPort);

    /// <summary>The bound listener address, once <see cref="Listen"/> was called.</summary>
    public IPEndPoint? ListenEndPoint => (IPEndPoint?)_listener?.LocalEndpoint;

    /// <summary>Number of open connections (for tests and diagnostics).</summary>
    public int ConnectionCount => _byId.Count;

    /// <summary>Incoming connections closed at once because <see cref="SipStreamTransportOptions.MaxIncomingConnections"/> were open.</summary>
    public long RefusedConnections => Interlocked.Read(ref _refusedConnections);

    public event SipFrameReceivedHandler? FrameReceived;

    public event Action<SipEndPoint, Exception?>? ConnectionClosed;

    /// <summary>Accepts incoming connections on <paramref name="endPoint"/> (port 0 picks a free one).</summary>
    public void Listen(IPEndPoint endPoint)
    {
        if (_listener is not null)
            throw new InvalidOperationException("already listening");
        if (Kind == SipTransportKind.Tls && _options.Tls.ServerCertificate is null)
            throw new InvalidOperationException("a TLS listener needs SipTlsOptions.ServerCertificate");
        var listener = new TcpListener(endPoint);
        listener.Start();
        _listener = listener;
        _acceptLoop = Task.Run(() => AcceptLoopAsync(listener));
    }

    public async ValueTask SendAsync(SipEndPoint destination, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        if (destination.Kind != Kind)
            throw new SipTransportException($"a {Kind.ViaToken()} transport cannot send to {destination}");

        SipStreamConnection connection;
        if (destination.ConnectionId is { } id)
        {
            if (!_byId.TryGetValue(id, out connection!))
            {
                // RFC 3261 §18.2.2: the connection a request came over is gone — a server we connected
                // to ourselves (its listening address) is reached again by a new connection; anyone else is not.
                if (!_connectedTo.ContainsKey(destination.Address))
                    throw new SipTransportException($"connection {destination} is closed");
                connection = await GetOrConnectAsync(destination with { ConnectionId = null }, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            connection = await GetOrConnectAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        await connection.SendAsync(message, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SipStreamConnection> GetOrConnectAsync(SipEndPoint destination, CancellationToken cancellationToken)
    {
        if (_byAddress.TryGetValue(destination.Address, out var existing))
            return existing;

        // One connection attempt per remote at a time; concurrent senders share it. The entry
        // removes itself when the attempt ends, so a failed attempt is never cached.
        var attempt = _connecting.GetOrAdd(destination.Address,
            key => new Lazy<Task<SipStreamConnection>>(() => ConnectOnceAsync(key, destination)));
        return await attempt.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<SipStreamConnection> ConnectOnceAsync(IPEndPoint key, SipEndPoint destination)
    {
        try
        {
            var connection = await ConnectAsync(destination).ConfigureAwait(false);
            _connectedTo[key] = true;
            return connection;
        }
        finally
        {
            _connecting.TryRemove(key, out _);
        }
    }

    private async Task<SipStreamConnection> ConnectAsync(SipEndPoint destination)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        timeout.CancelAfter(_options.ConnectTimeout);
        var socket = new Socket(destination.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream stream;
        try
        {
            await socket.ConnectAsync(destination.Address, timeout.Token).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (Kind == SipTransportKind.Tls)
                stream = await AuthenticateAsClientAsync(stream, destination, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or AuthenticationException or OperationCanceledException)
        {
            socket.Dispose();
            var reason = ex is OperationCanceledException ? "timed out" : ex.Message;
            throw new SipTransportException($"cannot connect to {destination}: {reason}", ex);
        }

        // A TCP connect completes in the peer's kernel even while the SIP server is frozen, and
        // what we send is read when it resumes — on a connection we may have given up by then: a
        // REGISTER read that late binds us to a dead flow. So with keep-alives on (the peer answers
        // them, RFC 5626 §4.4.1) a keep-alive answered first proves the server reads us before the
        // connection is used. TLS needs no probe: its handshake needs the server itself.
        if (Kind == SipTransportKind.Tls || _options.KeepAliveInterval is null)
        {
            var connection = Register(stream, destination.Address, destination.HostName);
            connection.Start(sendKeepAlives: true);
            return connection;
        }
        var probed = Register(stream, destination.Address, destination.HostName, publish: false);
        probed.Start(sendKeepAlives: false);
        await probed.ProbeAsync().ConfigureAwait(false);
        probed.StartKeepAlives();
        _byAddress[destination.Address] = probed;
        if (probed.IsClosed) // closed between its pong and now: OnClosed found nothing to remove
            _byAddress.TryRemove(new KeyValuePair<IPEndPoint, SipStreamConnection>(destination.Address, probed));
        return probed;
    }

    private async Task<Stream> AuthenticateAsClientAsync(Stream inner, SipEndPoint destination, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        var host = destination.HostName ?? destination.Address.Address.ToString();
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                ClientCertificates = _options.Tls.ClientCertificates,
                RemoteCertificateValidationCallback = (_, cert, chain, errors) => _validator.Validate(cert, chain, errors),
            }, cancellationToken).WaitAsync(_options.Tls.HandshakeTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AuthenticationException ex)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new AuthenticationException($"TLS certificate of {host} not accepted ({ex.Message})", ex);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return ssl;
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_disposed.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(_disposed.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_disposed.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                _logger.LogWarning(ex, "Accept failed");
                continue;
            }
            // A cap on what peers can make us hold: beyond it, the newest connection is closed at once
            // (the ones already open keep working). Released when an incoming connection ends.
            if (Interlocked.Increment(ref _incoming) > _options.MaxIncomingConnections)
            {
                Interlocked.Decrement(ref _incoming);
                var refused = Interlocked.Increment(ref _refusedConnections);
                if (refused <= 10 || refused % 1000 == 0)
                    _logger.LogWarning("Refusing a connection from {Remote}: {Max} incoming connections open (refused so far: {Count})",
                        socket.RemoteEndPoint, _options.MaxIncomingConnections, refused);
                socket.Dispose();
                continue;
            }
            _ = Task.Run(() => AcceptOneAsync(socket));
        }
    }

    private async Task AcceptOneAsync(Socket socket)
    {
        socket.NoDelay = true;
        var remote = Normalize((IPEndPoint)socket.RemoteEndPoint!);
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (Kind == SipTransportKind.Tls)
        {
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
                timeout.CancelAfter(_options.Tls.HandshakeTimeout);
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = _options.Tls.ServerCertificate,
                }, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _logger.LogWarning("TLS handshake from {Remote} failed: {Reason}", remote, ex.Message);
                await ssl.DisposeAsync().ConfigureAwait(false);
                Interlocked.Decrement(ref _incoming);
                return;
            }
            stream = ssl;
        }
        // Incoming connections are the peer's flow: it sends the keep-alives, we answer them, and
        // close it when it stays silent longer than the idle timeout.
        Register(stream, remote, hostName: null, incoming: true).Start(sendKeepAlives: false, _options.IncomingIdleTimeout);
    }

    /// <param name="publish">Reuse it for later sends to <paramref name="remote"/> at once (else the caller adds it to <c>_byAddress</c> when it is ready).</param>
    private SipStreamConnection Register(Stream stream, IPEndPoint remote, string? hostName, bool incoming = false, bool publish = true)
    {
        var id = $"{Kind.ViaToken().ToLowerInvariant()}{Interlocked.Increment(ref _nextId)}";
        var endPoint = new SipEndPoint(Kind, remote, id) { HostName = hostName };
        var connection = new SipStreamConnection(stream, endPoint, _options, _logger, OnMessage, OnClosed) { Incoming = incoming };
        _byId[id] = connection;
        if (publish)
            _byAddress[remote] = connection;
        return connection;
    }

    private void OnMessage(SipStreamConnection connection, ReadOnlySpan<byte> message) =>
        FrameReceived?.Invoke(this, connection.Remote, message);

    private void OnClosed(SipStreamConnection connection, Exception? reason)
    {
        if (_byId.TryRemove(connection.Id, out _) && connection.Incoming)
            Interlocked.Decrement(ref _incoming);
        _byAddress.TryRemove(new KeyValuePair<IPEndPoint, SipStreamConnection>(connection.RemoteAddress, connection));
        // A connection we dropped on purpose (DropOutgoingConnections) is not a failed flow.
        if (!_disposed.IsCancellationRequested && !_dropping.TryRemove(connection.Id, out _))
        {
            _logger.LogDebug("Connection {Remote} closed: {Reason}", connection.Remote, reason?.Message ?? "by peer");
            try
            {
                ConnectionClosed?.Invoke(connection.Remote, reason);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "ConnectionClosed handler failed");
            }
        }
        _ = connection.DisposeAsync().AsTask();
    }

    /// <summary>Closes one connection (e.g. to test flow recovery).</summary>
    public bool CloseConnection(string connectionId)
    {
        if (!_byId.TryGetValue(connectionId, out var connection))
            return false;
        connection.Close(null);
        return true;
    }

    /// <summary>
    /// Closes every connection we opened, without reporting them as failed flows: after a network
    /// change they sit on an address that may be gone and would be noticed dead only by keep-alives.
    /// The next send opens a new connection from the current address. Returns how many were closed.
    /// </summary>
    public int DropOutgoingConnections()
    {
        var dropped = 0;
        foreach (var connection in _byId.Values)
        {
            if (connection.Incoming)
                continue;
            _dropping[connection.Id] = true;
            connection.Close(null);
            dropped++;
        }
        return dropped;
    }

    /// <summary>IPv4 peers seen through a dual-mode socket are reported as plain IPv4, as DNS gives them.</summary>
    internal static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    internal static string FormatHost(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
            return;
        _disposed.Cancel();
        _listener?.Stop();
        await _acceptLoop.ConfigureAwait(false);
        foreach (var connection in _byId.Values)
            await connection.DisposeAsync().ConfigureAwait(false);
        _byId.Clear();
        _byAddress.Clear();
    }
}
