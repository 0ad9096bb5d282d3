using System.Text;
using Dialtone.Sip.Message;
using Dialtone.Sip.Tests.Infrastructure;
using Dialtone.Sip.Transport;
using Dialtone.Sip.UserAgent;

namespace Dialtone.Sip.Tests.UserAgent;

public sealed class SipUserAgentTests : IAsyncDisposable
{
    private readonly StackHarness _h = new(SipTransportKind.Udp);
    private readonly SipUserAgent _agent;

    public SipUserAgentTests() => _agent = new SipUserAgent(_h.Stack, new SipUserAgentOptions
    {
        AddressOfRecord = SipUri.Parse("sip:alice@10.0.0.1"),
    });

    private static string Request(string method, string branch, string extra = "", string body = "") =>
        $"{method} sip:alice@10.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.2:5070;branch=z9hG4bK{branch}\r\n" +
        $"From: <sip:bob@10.0.0.2>;tag=b1\r\nTo: <sip:alice@10.0.0.1>\r\nCall-ID: {branch}@10.0.0.2\r\nCSeq: 1 {method}\r\n" +
        $"Max-Forwards: 70\r\n{extra}Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";

    private SipResponse LastResponse() => (SipResponse)_h.Local.Take().Last().Parse();

    [Fact]
    public async Task Options_is_answered_with_allow_accept_and_supported()
    {
        await _h.PeerSendsAsync(Request("OPTIONS", "opt1"));
        var response = LastResponse();
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("OPTIONS, MESSAGE", response.Headers[SipHeaderNames.Allow]);
        Assert.Equal("text/plain", response.Headers[SipHeaderNames.Accept]);
        Assert.Contains("outbound", response.Headers[SipHeaderNames.Supported]);
    }

    [Fact]
    public async Task Text_message_is_accepted_and_raised_once()
    {
        var received = new TaskCompletionSource<SipTextMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _agent.MessageReceived += (_, m) => received.TrySetResult(m);
        await _h.PeerSendsAsync(Request("MESSAGE", "msg1", "Content-Type: text/plain;charset=utf-8\r\n", "grüß dich"));
        Assert.Equal(200, LastResponse().StatusCode);
        var message = await received.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("grüß dich", message.Text);
        Assert.Equal("bob", ((SipUri)message.From.Uri).User);
    }

    [Fact]
    public async Task Unsupported_body_type_gets_415_with_accept()
    {
        await _h.PeerSendsAsync(Request("MESSAGE", "msg2", "Content-Type: application/json\r\n", "{}"));
        var response = LastResponse();
        Assert.Equal(415, response.StatusCode);
        Assert.Equal("text/plain", response.Headers[SipHeaderNames.Accept]);
    }

    [Fact]
    public async Task Other_methods_get_405_with_allow()
    {
        await _h.PeerSendsAsync(Request("SUBSCRIBE", "sub1", "Event: presence\r\n"));
        var response = LastResponse();
        Assert.Equal(405, response.StatusCode);
        Assert.Equal("OPTIONS, MESSAGE", response.Headers[SipHeaderNames.Allow]);
    }

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();
}
