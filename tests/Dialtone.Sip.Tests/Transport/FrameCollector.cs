using System.Text;
using System.Threading.Channels;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Tests.Transport;

/// <summary>Records what a transport delivers so a test can await it with a timeout.</summary>
internal sealed class FrameCollector
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly Channel<(SipEndPoint Source, string Text)> _frames = Channel.CreateUnbounded<(SipEndPoint, string)>();
    private readonly Channel<(SipEndPoint EndPoint, Exception? Reason)> _closed = Channel.CreateUnbounded<(SipEndPoint, Exception?)>();

    public FrameCollector(ISipTransport transport)
    {
        transport.FrameReceived += (_, source, message) => _frames.Writer.TryWrite((source, Encoding.UTF8.GetString(message)));
        transport.ConnectionClosed += (endPoint, reason) => _closed.Writer.TryWrite((endPoint, reason));
    }

    public async Task<(SipEndPoint Source, string Text)> NextAsync() =>
        await _frames.Reader.ReadAsync().AsTask().WaitAsync(Timeout);

    public async Task<(SipEndPoint EndPoint, Exception? Reason)> NextClosedAsync() =>
        await _closed.Reader.ReadAsync().AsTask().WaitAsync(Timeout);

    public bool HasFrame => _frames.Reader.Count > 0;
    public bool HasClosed => _closed.Reader.Count > 0;
}

internal static class TestMessages
{
    public static string Options(string branch = "z9hG4bK776asdhds", string body = "") =>
        $"OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1;branch={branch}\r\nCall-ID: {branch}\r\nCSeq: 1 OPTIONS\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";

    public static string Ok(string branch = "z9hG4bK776asdhds") =>
        $"SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 127.0.0.1;branch={branch}\r\nCall-ID: {branch}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
