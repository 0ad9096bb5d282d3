using System.Net.WebSockets;
using System.Text;
using Dialtone.Sip.Message;

namespace Dialtone.Tests.Shared;

/// <summary>
/// A bare WebSocket SIP client for driving the server with hand-written messages: it sends exactly
/// the text a test gives and hands back each message the server sends, parsed.
/// </summary>
internal sealed class RawSipClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();

    private RawSipClient(string user)
    {
        User = user;
        Host = $"{user}{Random.Shared.Next(1000, 9999)}.invalid";
    }

    public string User { get; }

    /// <summary>This client's .invalid Via/Contact host (RFC 7118 §5.2).</summary>
    public string Host { get; }

    public string Contact => $"<sip:{User}@{Host};transport=ws>";

    /// <param name="configure">Extra socket options, e.g. the certificate check for a wss:// server.</param>
    public static async Task<RawSipClient> ConnectAsync(Uri server, string user, Action<ClientWebSocketOptions>? configure = null)
    {
        var client = new RawSipClient(user);
        client._socket.Options.AddSubProtocol("sip");
        configure?.Invoke(client._socket.Options);
        await client._socket.ConnectAsync(server, CancellationToken.None);
        return client;
    }

    public Task SendAsync(string message) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(message.ReplaceLineEndings("\r\n")), WebSocketMessageType.Text, true, CancellationToken.None);

    public async Task<SipMessage> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var buffer = new byte[65536];
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(buffer.AsMemory(length), cts.Token);
            length += result.Count;
        }
        while (!result.EndOfMessage);
        return SipParser.Parse(buffer.AsSpan(0, length));
    }

    /// <summary>True when nothing arrives within <paramref name="wait"/>.</summary>
    public async Task<bool> ReceivesNothingAsync(TimeSpan wait)
    {
        try
        {
            await ReceiveAsync(wait);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    public async Task RegisterAsync(string domain, int expires = 600)
    {
        await SendAsync($"""
            REGISTER sip:{domain} SIP/2.0
            Via: SIP/2.0/WS {Host};branch=z9hG4bK{Guid.NewGuid():N}
            Max-Forwards: 70
            From: <sip:{User}@{domain}>;tag=r{User}
            To: <sip:{User}@{domain}>
            Call-ID: reg-{User}-{Host}
            CSeq: 1 REGISTER
            Contact: {Contact};expires={expires}
            Content-Length: 0


            """);
        var response = (SipResponse)await ReceiveAsync();
        Assert.Equal(200, response.StatusCode);
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
