using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using Dialtone.Interop.Tests.Infrastructure;
using Dialtone.Sip.Message;
using Dialtone.Tests.Shared;

namespace Dialtone.Server.Tests;

/// <summary>The opt-in TLS listener: wss:// with a certificate from a CA made for the test.</summary>
public sealed class EmbeddedSipServerTlsTests : IAsyncLifetime
{
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();
    private EmbeddedSipServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await EmbeddedSipServer.StartAsync(new EmbeddedSipServerOptions { TlsCertificate = _ca.ServerCertificate });

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _ca.Dispose();
    }

    /// <summary>Accepts the server only if its chain ends in the test CA and its name matches.</summary>
    private void TrustTestCa(ClientWebSocketOptions options) =>
        options.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
                return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(_ca.Root);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };

    [Fact]
    public void Advertises_a_wss_uri()
    {
        Assert.Equal("wss", _server.WebSocketUri.Scheme);
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_CA_cannot_connect()
    {
        await Assert.ThrowsAsync<WebSocketException>(() => RawSipClient.ConnectAsync(_server.WebSocketUri, "alice"));
        Assert.Equal(0, _server.ConnectionCount);
    }

    [Fact]
    public async Task Registers_and_record_routes_calls_as_wss()
    {
        await using var alice = await RawSipClient.ConnectAsync(_server.WebSocketUri, "alice", TrustTestCa);
        await using var bob = await RawSipClient.ConnectAsync(_server.WebSocketUri, "bob", TrustTestCa);
        await alice.RegisterAsync(_server.Domain);
        await bob.RegisterAsync(_server.Domain);

        await alice.SendAsync($"""
            INVITE sip:bob@{_server.Domain} SIP/2.0
            Via: SIP/2.0/WSS {alice.Host};branch=z9hG4bKtls1
            Max-Forwards: 70
            From: <sip:alice@{_server.Domain}>;tag=a1
            To: <sip:bob@{_server.Domain}>
            Call-ID: tls-call-1
            CSeq: 1 INVITE
            Contact: {alice.Contact}
            Content-Length: 0


            """);
        var invite = (SipRequest)await bob.ReceiveAsync();

        Assert.Equal(SipMethods.Invite, invite.Method);
        Assert.Equal("WSS", invite.TopVia!.Transport);
        Assert.Equal("wss", Assert.Single(invite.RecordRoutes).SipUri!.Parameters.Get("transport"));
    }

    [Fact]
    public async Task Refuses_a_certificate_without_its_private_key()
    {
        using var publicOnly = X509CertificateLoader.LoadCertificate(_ca.ServerCertificate.RawData);
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            EmbeddedSipServer.StartAsync(new EmbeddedSipServerOptions { TlsCertificate = publicOnly }));
        Assert.Contains("private key", error.Message);
    }
}
