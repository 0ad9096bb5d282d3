using System.Text;
using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Tests.Infrastructure;
using Dialtone.Sip.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Dialtone.Sip.Tests.Stack;

/// <summary>Debug traces carry whole messages, but never the credentials in them.</summary>
public sealed class TraceRedactionTests
{
    private const string Digest =
        "Digest username=\"alice\", realm=\"example.test\", nonce=\"n0nce-7f3a\", uri=\"sip:example.test\", " +
        "response=\"6629fae49393a05397450978507c4ef1\", algorithm=SHA-256, cnonce=\"c-secret\", qop=auth, nc=00000001";

    [Fact]
    public async Task Sent_and_received_traces_redact_authorization_and_proxy_authorization()
    {
        var time = new FakeTimeProvider();
        var network = new LoopbackNetwork();
        var log = new ListLogger<SipStack>();
        var local = network.Bind(SipTransportKind.Udp, "10.0.0.1", 5060, time);
        var peer = network.Bind(SipTransportKind.Udp, "10.0.0.2", 5070, time);
        await using var stack = new SipStack([local], timeProvider: time, logger: log) { TransactionUser = new RecordingTransactionUser { AutoRespond = 200 } };

        var request = SipRequestFactory.Create(SipMethods.Options, SipUri.Parse("sip:bob@10.0.0.2:5070"),
            new SipAddress(SipUri.Parse("sip:alice@10.0.0.1")), new SipAddress(SipUri.Parse("sip:bob@10.0.0.2")));
        request.Headers.Add(SipHeaderNames.ProxyAuthorization, Digest);
        _ = await stack.StartRequestAsync(request);
        await peer.SendAsync(local.EndPoint, Encoding.UTF8.GetBytes(
            StackHarness.RequestText("MESSAGE", "z9hG4bKauth", $"Authorization: {Digest}\r\nAuthorization: Bearer eyJhbGciOi.secret-token\r\n")));
        await stack.DrainAsync();
        await stack.DrainAsync();

        var debug = string.Join("\n", log.Lines.Where(l => l.Level == LogLevel.Debug).Select(l => l.Text));
        Assert.Contains("SIP send to", debug);
        Assert.Contains("SIP received from", debug);
        Assert.Contains("Proxy-Authorization: Digest username=\"alice\", realm=\"example.test\"", debug);
        Assert.Contains("Authorization: Bearer <redacted>", debug);
        foreach (var secret in new[] { "6629fae49393a05397450978507c4ef1", "n0nce-7f3a", "c-secret", "secret-token" })
            Assert.DoesNotContain(secret, debug);
        // Everything else is traced as it was.
        Assert.Contains("MESSAGE sip:alice@10.0.0.1:5060 SIP/2.0", debug);
        Assert.Contains("Call-ID: call-1", debug);
    }

    [Fact]
    public void Folded_and_compact_spellings_are_redacted_too()
    {
        var text = "INVITE sip:a@b SIP/2.0\r\nproxy-authorization :  Digest username=\"bob\",\r\n response=\"abc123\"\r\nTo: <sip:a@b>\r\n\r\n";
        var traced = TraceRedaction.ForTrace(Encoding.UTF8.GetBytes(text));
        Assert.DoesNotContain("abc123", traced);
        Assert.Contains("username=\"bob\"", traced);
        Assert.Contains("To: <sip:a@b>", traced);
    }
}
