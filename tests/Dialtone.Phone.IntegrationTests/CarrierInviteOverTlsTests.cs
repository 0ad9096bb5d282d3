using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Dialtone.Phone.Tests.Calls;
using Dialtone.Sip.IntegrationTests.Infrastructure;
using Dialtone.Sip.Message;

namespace Dialtone.Phone.IntegrationTests;

/// <summary>
/// The seed's carrier INVITE (FreeSWITCH over SIP/TLS, plain RTP/AVP) delivered over TLS to Kamailio
/// for a Dialtone user registered over WebSocket: the answer that comes back is 488 with libwebrtc's
/// reason in a Warning 305.
/// </summary>
public sealed class CarrierInviteOverTlsTests : IAsyncLifetime
{
    private KamailioServer _kamailio = null!;
    private Party _bob = null!;

    public async Task InitializeAsync()
    {
        _kamailio = await KamailioServer.StartNewAsync();
        _bob = await Party.StartAsync(_kamailio.WsUri, KamailioServer.Domain, "bob", 0, 1000, password: KamailioServer.Passwords["bob"]);
    }

    public async Task DisposeAsync()
    {
        await _bob.DisposeAsync();
        await _kamailio.DisposeAsync();
    }

    [Fact]
    public async Task The_fixture_invite_over_tls_is_answered_488_with_a_warning()
    {
        var invite = (SipRequest)SipParser.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "plivo-invite.sip")));
        invite.RequestUri = SipUri.Parse($"sip:bob@{KamailioServer.Domain}");
        invite.Headers.Remove(SipHeaderNames.RecordRoute);
        invite.Headers.Remove(SipHeaderNames.Via);
        invite.PushVia(new SipVia("TLS", "carrier.invalid", null, "z9hG4bKplivoTls1"));

        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", _kamailio.TlsPort);
        await using var tls = new SslStream(tcp.GetStream(), false, TrustingOnly(_kamailio.CaCertificate));
        await tls.AuthenticateAsClientAsync("localhost");
        await tls.WriteAsync(SipSerializer.Serialize(invite));

        SipResponse final;
        do
            final = await ReadResponseAsync(tls);
        while (final.IsProvisional);

        Assert.Equal(488, final.StatusCode);
        var warning = final.Headers[SipHeaderNames.Warning];
        Assert.NotNull(warning);
        Assert.StartsWith("305 ", warning);
        Assert.Contains("DTLS", warning);
        Assert.Empty(_bob.Agent.Calls);
    }

    private static RemoteCertificateValidationCallback TrustingOnly(X509Certificate2 ca) => (_, certificate, _, _) =>
    {
        if (certificate is null)
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(certificate));
    };

    /// <summary>Reads one SIP message from a stream: headers to the blank line, then Content-Length bytes.</summary>
    private static async Task<SipResponse> ReadResponseAsync(Stream stream)
    {
        using var timeout = new CancellationTokenSource(Eventually.Generous);
        var buffer = new List<byte>();
        var one = new byte[1];
        while (!EndsWithBlankLine(buffer))
        {
            if (await stream.ReadAsync(one, timeout.Token) == 0)
                throw new EndOfStreamException("Kamailio closed the connection");
            buffer.Add(one[0]);
        }
        var head = Encoding.ASCII.GetString(buffer.ToArray());
        var lengthLine = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase) || l.StartsWith("l:", StringComparison.Ordinal));
        var length = lengthLine is null ? 0 : int.Parse(lengthLine[(lengthLine.IndexOf(':') + 1)..].Trim());
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, timeout.Token);
        return (SipResponse)SipParser.Parse([.. buffer, .. body]);
    }

    private static bool EndsWithBlankLine(List<byte> b) =>
        b.Count >= 4 && b[^4] == '\r' && b[^3] == '\n' && b[^2] == '\r' && b[^1] == '\n';
}
