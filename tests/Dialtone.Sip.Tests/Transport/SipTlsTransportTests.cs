using System.Net;
using System.Security.Cryptography.X509Certificates;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Tests.Transport;

public sealed class SipTlsTransportTests : IAsyncLifetime
{
    private readonly X509Certificate2 _ca = TestCertificates.CreateCa();
    private X509Certificate2 _serverCertificate = null!;
    private SipStreamTransport _server = null!;
    private SipEndPoint _target = null!;

    public Task InitializeAsync()
    {
        _serverCertificate = TestCertificates.CreateServer(_ca, "sip.test");
        _server = new SipStreamTransport(SipTransportKind.Tls, new SipStreamTransportOptions
        {
            Tls = new SipTlsOptions { ServerCertificate = _serverCertificate },
        });
        _server.Listen(new IPEndPoint(IPAddress.Loopback, 0));
        _target = new SipEndPoint(SipTransportKind.Tls, _server.ListenEndPoint!) { HostName = "sip.test" };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static SipStreamTransport Client(SipTlsOptions tls) =>
        new(SipTransportKind.Tls, new SipStreamTransportOptions { Tls = tls });

    [Fact]
    public async Task Unknown_ca_is_rejected_by_default()
    {
        await using var client = Client(new SipTlsOptions());
        var ex = await Assert.ThrowsAsync<SipTransportException>(() =>
            client.SendAsync(_target, TestMessages.Bytes(TestMessages.Options())).AsTask());
        Assert.Contains("certificate", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Explicitly_trusted_ca_is_accepted_and_messages_flow_both_ways()
    {
        await using var client = Client(new SipTlsOptions { TrustedRootCertificates = [_ca] });
        var atServer = new FrameCollector(_server);
        var atClient = new FrameCollector(client);
        await client.SendAsync(_target, TestMessages.Bytes(TestMessages.Options()));
        var (source, request) = await atServer.NextAsync();
        Assert.Equal(TestMessages.Options(), request);
        Assert.Equal(SipTransportKind.Tls, source.Kind);
        await _server.SendAsync(source, TestMessages.Bytes(TestMessages.Ok()));
        Assert.Equal(TestMessages.Ok(), (await atClient.NextAsync()).Text);
    }

    [Fact]
    public async Task Trusted_ca_does_not_excuse_a_wrong_host_name()
    {
        await using var client = Client(new SipTlsOptions { TrustedRootCertificates = [_ca] });
        var wrongName = _target with { HostName = "other.test" };
        await Assert.ThrowsAsync<SipTransportException>(() =>
            client.SendAsync(wrongName, TestMessages.Bytes(TestMessages.Options())).AsTask());
    }

    [Fact]
    public async Task Pinned_certificate_is_accepted_and_another_pin_is_not()
    {
        // Written the way tools print it: lower case with colons.
        var pin = string.Join(':', TestCertificates.Sha256Fingerprint(_serverCertificate).Chunk(2).Select(c => new string(c))).ToLowerInvariant();
        await using var pinned = Client(new SipTlsOptions { PinnedCertificateSha256 = [pin] });
        await pinned.SendAsync(_target with { HostName = "anything" }, TestMessages.Bytes(TestMessages.Options()));

        var otherPin = TestCertificates.Sha256Fingerprint(_ca);
        await using var wrongPin = Client(new SipTlsOptions { PinnedCertificateSha256 = [otherPin] });
        await Assert.ThrowsAsync<SipTransportException>(() =>
            wrongPin.SendAsync(_target, TestMessages.Bytes(TestMessages.Options())).AsTask());
    }

    [Theory]
    [InlineData("OPTIONS sip:bob@sip.test SIP/7.0", "505 Version Not Supported")]
    [InlineData("OPTIONS  sip:bob@sip.test SIP/2.0", "400 ")]
    public async Task A_bad_request_line_gets_its_rfc3261_answer_and_the_connection_serves_the_next_request(string requestLine, string answer)
    {
        // RFC 3261 §8.2 on a stream: the answer comes back on the connection, which stays up (the
        // framer used to drop it for anything but SIP/2.0, so nothing was answered over TCP/TLS).
        await using var stack = new SipStack([_server], new SipStackOptions());
        await using var client = Client(new SipTlsOptions { TrustedRootCertificates = [_ca] });
        var atClient = new FrameCollector(client);
        static string Request(string line, int cseq) =>
            $"{line}\r\nVia: SIP/2.0/TLS 127.0.0.1;branch=z9hG4bK-tls-{cseq}\r\nMax-Forwards: 70\r\n" +
            $"From: <sip:alice@sip.test>;tag=a{cseq}\r\nTo: <sip:bob@sip.test>\r\nCall-ID: tls-bad-line\r\n" +
            $"CSeq: {cseq} OPTIONS\r\nContent-Length: 0\r\n\r\n";

        await client.SendAsync(_target, TestMessages.Bytes(Request(requestLine, 1)));
        Assert.StartsWith("SIP/2.0 " + answer, (await atClient.NextAsync()).Text);
        await client.SendAsync(_target, TestMessages.Bytes(Request("OPTIONS sip:bob@sip.test SIP/2.0", 2)));
        // No transaction user here: the stack's own answer to a good request is 501.
        Assert.StartsWith("SIP/2.0 501 ", (await atClient.NextAsync()).Text);
        Assert.False(atClient.HasClosed);
    }
}
