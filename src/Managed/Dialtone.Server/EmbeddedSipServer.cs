using System.Buffers;
using System.Net.WebSockets;
using Dialtone.Sip.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dialtone.Server;

/// <summary>
/// A SIP-over-WebSocket (RFC 7118) registrar and stateless proxy on Kestrel: what <c>dialtone demo</c>
/// and the tests run in-process when no SIP server is given. It authenticates nobody, so it listens
/// on loopback by default.
/// </summary>
public sealed partial class EmbeddedSipServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Registrar _registrar;
    private readonly FlowTable _flows = new();
    private readonly SipProxyCore _proxy;
    private readonly EmbeddedSipServerOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private int _nextFlowId;

    private EmbeddedSipServer(EmbeddedSipServerOptions options)
    {
        _options = options;
        _logger = options.LoggerFactory.CreateLogger<EmbeddedSipServer>();
        _registrar = new Registrar(options);
        _proxy = new SipProxyCore(_registrar, _flows, options.LoggerFactory.CreateLogger<SipProxyCore>());

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(options.LoggerFactory);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(options.ListenAddress, options.Port, listen =>
        {
            if (options.TlsCertificate is { } certificate)
                listen.UseHttps(certificate);
        }));
        _app = builder.Build();
        _app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        _app.Map(options.Path, AcceptAsync);
    }

    /// <summary>Where clients connect, e.g. <c>ws://127.0.0.1:41234/</c> (<c>wss://</c> with <see cref="EmbeddedSipServerOptions.TlsCertificate"/>).</summary>
    public Uri WebSocketUri { get; private set; } = null!;

    /// <summary>The SIP domain users register in.</summary>
    public string Domain => _options.Domain;

    /// <summary>Current registrations (for views and tests).</summary>
    public IReadOnlyList<RegistrationBinding> Registrations => _registrar.Snapshot();

    /// <summary>Number of open client connections.</summary>
    public int ConnectionCount => _flows.Count;

    public static async Task<EmbeddedSipServer> StartAsync(EmbeddedSipServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EmbeddedSipServerOptions();
        options.Validate();
        var server = new EmbeddedSipServer(options);
        await server._app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var bound = new Uri(address);
        var secure = options.TlsCertificate is not null;
        server.WebSocketUri = new UriBuilder(secure ? "wss" : "ws", bound.Host, bound.Port, options.Path).Uri;
        server._proxy.Self = new SipHostPort(bound.Host, bound.Port);
        server._proxy.Secure = secure;
        return server;
    }

    private async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return;
        }
        // RFC 7118 §4.1: the client must offer the "sip" subprotocol and the server must select it.
        if (!context.WebSockets.WebSocketRequestedProtocols.Contains("sip", StringComparer.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("WebSocket subprotocol 'sip' required (RFC 7118)").ConfigureAwait(false);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync("sip").ConfigureAwait(false);
        var flow = new SipFlow($"f{Interlocked.Increment(ref _nextFlowId)}", socket);
        _flows.Add(flow);
        Log.FlowOpened(_logger, flow.Id, context.Connection.RemoteIpAddress?.ToString() ?? "?", context.Connection.RemotePort);
        try
        {
            await ReceiveLoopAsync(flow, socket, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            Log.FlowError(_logger, flow.Id, e.Message);
        }
        finally
        {
            _flows.Remove(flow);
            _registrar.RemoveFlow(flow.Id);
            Log.FlowClosed(_logger, flow.Id);
        }
    }

    private async Task ReceiveLoopAsync(SipFlow flow, WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_options.MaxMessageBytes);
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == _options.MaxMessageBytes)
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, "SIP message too large", cancellationToken).ConfigureAwait(false);
                        return;
                    }
                    result = await socket.ReceiveAsync(buffer.AsMemory(length, _options.MaxMessageBytes - length), cancellationToken).ConfigureAwait(false);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken).ConfigureAwait(false);
                    return;
                }
                if (IsKeepAlive(buffer.AsSpan(0, length)))
                    continue;
                await _proxy.OnMessageAsync(flow, buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>CRLF keep-alives (RFC 5626 §4.4.1) some clients send over WebSocket too.</summary>
    private static bool IsKeepAlive(ReadOnlySpan<byte> message) => message.TrimStart("\r\n"u8).IsEmpty;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "flow {FlowId} opened from {Address}:{Port}")]
        public static partial void FlowOpened(ILogger logger, string flowId, string address, int port);

        [LoggerMessage(Level = LogLevel.Information, Message = "flow {FlowId} closed")]
        public static partial void FlowClosed(ILogger logger, string flowId);

        [LoggerMessage(Level = LogLevel.Debug, Message = "flow {FlowId} failed: {Error}")]
        public static partial void FlowError(ILogger logger, string flowId, string error);
    }
}
