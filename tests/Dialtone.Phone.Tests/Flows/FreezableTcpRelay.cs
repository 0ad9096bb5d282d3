using System.Net;
using System.Net.Sockets;

namespace Dialtone.Phone.Tests.Flows;

/// <summary>
/// A loopback TCP relay in front of a server that can be frozen: its connections stay open but
/// nothing goes through any more either way (as with a server stopped by SIGSTOP, or a NAT that
/// silently dropped its mapping). Only keep-alives can tell such a flow is dead.
/// </summary>
internal sealed class FreezableTcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pumps = [];
    private readonly List<TcpClient> _clients = [];
    private readonly Task _accepting;
    private volatile bool _frozen;

    public FreezableTcpRelay(IPEndPoint target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>From now on, bytes either way are read and dropped.</summary>
    public void Freeze() => _frozen = true;

    public void Thaw() => _frozen = false;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
                var outbound = new TcpClient();
                await outbound.ConnectAsync(_target, _stop.Token);
                lock (_pumps)
                {
                    _clients.Add(inbound);
                    _clients.Add(outbound);
                    _pumps.Add(PumpAsync(inbound.GetStream(), outbound.GetStream()));
                    _pumps.Add(PumpAsync(outbound.GetStream(), inbound.GetStream()));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopped
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                if (!_frozen)
                    await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
            to.Socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // one side went away or the relay stopped
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] pumps;
        lock (_pumps)
        {
            foreach (var client in _clients)
                client.Dispose();
            pumps = [.. _pumps];
        }
        await Task.WhenAll(pumps);
        _stop.Dispose();
    }
}
