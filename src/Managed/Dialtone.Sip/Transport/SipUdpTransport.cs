using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dialtone.Sip.Transport;

/// <summary>
/// SIP over UDP (RFC 3261 §18): one socket for sending and receiving, one datagram per message.
/// The source address of every datagram is reported so the layer above can apply <c>rport</c>
/// and <c>received</c> (RFC 3581).
/// <para>UDP has no connection to tell a peer from a stranger who can reach the port, so by default
/// requests are accepted only from addresses this transport has sent to (the outbound proxy or
/// registrar it registered with, a peer it called) or that were <see cref="Trust">trusted</see>;
/// others are dropped unanswered (an answer would make us a reflector). Responses are always
/// delivered: the transaction layer matches them by their random branch.
/// <see cref="SipUdpTransportOptions.AcceptRequestsFromAnyone"/> widens this for a server role.</para>
/// </summary>
public sealed class SipUdpTransport : ISipTransport
{
    /// <summary>Largest UDP payload over IPv4.</summary>
    public const int MaxDatagramSize = 65507;

    private readonly Lock _rebindLock = new();
    private volatile Socket _socket;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposed = new();
    private readonly SipHostPort? _advertised;
    private Task _receiveLoop;
    private readonly SipUdpTransportOptions _options;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<IPAddress, bool> _peers = new();
    private long _refused;

    /// <param name="localEndPoint">Address to bind (port 0 picks a free one).</param>
    /// <param name="advertisedHostPort">Host and port for Via/Contact if the bound address is not what peers should use.</param>
    /// <param name="logger">Where receive problems and refused requests are logged.</param>
    /// <param name="options">Whom requests are accepted from.</param>
    public SipUdpTransport(IPEndPoint localEndPoint, SipHostPort? advertisedHostPort = null, ILogger<SipUdpTransport>? logger = null, SipUdpTransportOptions? options = null)
    {
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _advertised = advertisedHostPort;
        _options = options ?? new SipUdpTransportOptions();
        foreach (var trusted in _options.TrustedAddresses)
            _peers[Canonical(trusted)] = true;
        var socket = Bind(localEndPoint);
        _socket = socket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _receiveLoop = Task.Run(() => ReceiveLoopAsync(socket));
    }

    public SipTransportKind Kind => SipTransportKind.Udp;

    public IPEndPoint LocalEndPoint { get; private set; }

    public SipHostPort LocalHostPort =>
        _advertised ?? new SipHostPort(SipStreamTransport.FormatHost(LocalEndPoint.Address), LocalEndPoint.Port);

    public event SipFrameReceivedHandler? FrameReceived;

    /// <summary>Requests dropped because they came from an address that is not a known peer.</summary>
    public long RefusedRequests => Interlocked.Read(ref _refused);

    /// <summary>Accepts requests from this address from now on (e.g. a second proxy of the service).</summary>
    public void Trust(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        _peers[Canonical(address)] = true;
    }

    /// <summary>
    /// Moves this transport to <paramref name="localAddress"/> — after a network change the address
    /// it was bound to may be gone, and every send from it fails ("network is unreachable"). A new
    /// socket (on the same port when it is free there) replaces the old one; messages keep flowing
    /// through this same transport object, so the stack, transactions and dialogs above stay as they are.
    /// </summary>
    public void Rebind(IPAddress localAddress)
    {
        ArgumentNullException.ThrowIfNull(localAddress);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        Socket socket;
        try
        {
            socket = Bind(new IPEndPoint(localAddress, LocalEndPoint.Port));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket = Bind(new IPEndPoint(localAddress, 0));
        }
        Socket old;
        lock (_rebindLock)
        {
            old = _socket;
            _socket = socket;
            LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
            _receiveLoop = Task.Run(() => ReceiveLoopAsync(socket));
        }
        _logger.LogInformation("UDP transport moved from {Old} to {New}", old.LocalEndPoint, LocalEndPoint);
        old.Dispose();
    }

    private static Socket Bind(IPEndPoint localEndPoint)
    {
        var socket = new Socket(localEndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(localEndPoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>UDP has no connections; never raised.</summary>
    public event Action<SipEndPoint, Exception?>? ConnectionClosed { add { } remove { } }

    public async ValueTask SendAsync(SipEndPoint destination, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        if (destination.Kind != SipTransportKind.Udp)
            throw new SipTransportException($"a UDP transport cannot send to {destination}");
        if (message.Length > MaxDatagramSize)
            throw new SipTransportException($"a {message.Length}-byte message does not fit in a UDP datagram");
        // Whoever we send to may send requests back (the proxy we register with, a peer we call).
        _peers.TryAdd(Canonical(destination.Address.Address), true);
        try
        {
            await _socket.SendToAsync(message, SocketFlags.None, destination.Address, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new SipTransportException($"sending to {destination} failed: {ex.Message}", ex);
        }
        catch (ObjectDisposedException ex) when (!_disposed.IsCancellationRequested)
        {
            // Rebind replaced the socket during this send; the transaction layer retransmits.
            throw new SipTransportException($"sending to {destination} failed: the transport moved to {LocalEndPoint}", ex);
        }
    }

    /// <summary>Serves one socket until the transport is disposed or <see cref="Rebind"/> replaced the socket.</summary>
    private async Task ReceiveLoopAsync(Socket socket)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(65536, pinned: true);
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_disposed.IsCancellationRequested && socket == _socket)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _disposed.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_disposed.IsCancellationRequested || socket != _socket)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                // ICMP port unreachable from an earlier send, or an oversized datagram: not fatal.
                continue;
            }
            catch (SocketException ex)
            {
                // Keep the socket serving; pause briefly so a persistent error cannot spin.
                _logger.LogWarning("UDP receive failed: {Reason}", ex.Message);
                await Task.Delay(100).ConfigureAwait(false);
                continue;
            }
            if (result.ReceivedBytes == 0)
                continue;
            var source = new SipEndPoint(SipTransportKind.Udp, SipStreamTransport.Normalize((IPEndPoint)result.RemoteEndPoint));
            if (!Accepts(buffer.AsSpan(0, result.ReceivedBytes), source))
                continue;
            try
            {
                FrameReceived?.Invoke(this, source, buffer.AsSpan(0, result.ReceivedBytes));
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "SIP message handler failed for a datagram from {Source}", source);
            }
        }
    }

    private bool Accepts(ReadOnlySpan<byte> datagram, SipEndPoint source)
    {
        if (_options.AcceptRequestsFromAnyone || datagram.StartsWith("SIP/"u8) || _peers.ContainsKey(Canonical(source.Address.Address)))
            return true;
        if (Interlocked.Increment(ref _refused) is var n && (n <= 10 || n % 1000 == 0))
            _logger.LogWarning("UDP request from {Source} dropped: not a known peer (refused so far: {Count})", source, n);
        return false;
    }

    private static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
            return;
        _disposed.Cancel();
        Task loop;
        lock (_rebindLock)
        {
            _socket.Dispose();
            loop = _receiveLoop;
        }
        await loop.ConfigureAwait(false);
        _disposed.Dispose();
    }
}
