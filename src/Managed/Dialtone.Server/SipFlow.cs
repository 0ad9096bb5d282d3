using System.Net.WebSockets;
using Dialtone.Sip.Message;

namespace Dialtone.Server;

/// <summary>
/// One client's WebSocket connection: the flow (RFC 5626) that every request to that client and
/// every response to its requests must travel back over, since its Via and Contact hosts are
/// <c>.invalid</c> names nobody can connect to (RFC 7118 §5.2).
/// </summary>
internal sealed class SipFlow(string id, WebSocket socket)
{
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public string Id { get; } = id;

    public bool IsOpen => socket.State == WebSocketState.Open;

    /// <summary>Sends one SIP message as one WebSocket text message (RFC 7118 §4.2); sends never interleave.</summary>
    public Task SendAsync(SipMessage message, CancellationToken cancellationToken) =>
        SendRawAsync(SipSerializer.Serialize(message), cancellationToken);

    public async Task SendRawAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public override string ToString() => Id;
}
