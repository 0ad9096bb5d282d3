using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Channels;

namespace Dialtone.Sip.Tests.Transport;

/// <summary>
/// A small WebSocket server for tests: the RFC 6455 opening handshake done by hand on a
/// TcpListener (optionally under TLS), then the platform's own WebSocket via CreateFromStream.
/// </summary>
internal sealed class MiniWebSocketServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2? _certificate;
    private readonly string? _subProtocol;
    private readonly Channel<WebSocket> _accepted = Channel.CreateUnbounded<WebSocket>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <param name="subProtocol">The subprotocol to accept ("sip"), or null to accept none.</param>
    public MiniWebSocketServer(string? subProtocol = "sip", X509Certificate2? certificate = null)
    {
        _subProtocol = subProtocol;
        _certificate = certificate;
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string? LastServerName { get; private set; }

    public string? LastRequestedProtocols { get; private set; }

    public async Task<WebSocket> NextConnectionAsync() =>
        await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _ = Task.Run(() => HandshakeAsync(client));
        }
    }

    private async Task HandshakeAsync(TcpClient client)
    {
        Stream stream = client.GetStream();
        if (_certificate is not null)
        {
            var ssl = new SslStream(stream);
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateSelectionCallback = (_, name) =>
                {
                    LastServerName = name;
                    return _certificate;
                },
            });
            stream = ssl;
        }

        var request = new StringBuilder();
        var one = new byte[1];
        while (!request.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one) == 0)
                return;
            request.Append((char)one[0]);
        }
        var headers = request.ToString().Split("\r\n").Skip(1)
            .Where(l => l.Contains(':'))
            .ToDictionary(l => l[..l.IndexOf(':')].Trim(), l => l[(l.IndexOf(':') + 1)..].Trim(), StringComparer.OrdinalIgnoreCase);
        LastRequestedProtocols = headers.GetValueOrDefault("Sec-WebSocket-Protocol");
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(headers["Sec-WebSocket-Key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        var response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                       $"Sec-WebSocket-Accept: {accept}\r\n" +
                       (_subProtocol is null ? "" : $"Sec-WebSocket-Protocol: {_subProtocol}\r\n") + "\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response));
        var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
        {
            IsServer = true,
            SubProtocol = _subProtocol,
            KeepAliveInterval = TimeSpan.Zero,
        });
        _accepted.Writer.TryWrite(socket);
    }

    public static async Task<string> ReceiveTextAsync(WebSocket socket)
    {
        var buffer = new byte[70000];
        var length = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            length += result.Count;
            if (result.EndOfMessage)
                return Encoding.UTF8.GetString(buffer, 0, length);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _loop;
    }
}
