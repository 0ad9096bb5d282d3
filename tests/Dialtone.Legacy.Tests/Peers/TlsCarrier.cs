using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Dialtone.Sip.Message;

namespace Dialtone.Legacy.Tests.Peers;

/// <summary>A carrier's SIP/TLS connection to the registrar: raw SIP messages written and read, trusting only the test CA.</summary>
internal sealed class TlsCarrier : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly SslStream _tls;

    private TlsCarrier(TcpClient tcp, SslStream tls)
    {
        _tcp = tcp;
        _tls = tls;
    }

    public static async Task<TlsCarrier> ConnectAsync(int port, X509Certificate2 ca)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) =>
        {
            if (certificate is null)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        });
        await tls.AuthenticateAsClientAsync("localhost");
        return new TlsCarrier(tcp, tls);
    }

    public async Task SendAsync(SipMessage message) => await _tls.WriteAsync(SipSerializer.Serialize(message));

    /// <summary>Reads one SIP message: headers to the blank line, then Content-Length bytes.</summary>
    public async Task<SipMessage> ReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await _tls.ReadAsync(one, cts.Token) == 0)
            {
                throw new EndOfStreamException("the registrar closed the TLS connection");
            }

            head.Add(one[0]);
        }

        var lengthLine = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n")
            .FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase) || l.StartsWith("l:", StringComparison.Ordinal));
        var body = new byte[lengthLine is null ? 0 : int.Parse(lengthLine[(lengthLine.IndexOf(':') + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture)];
        await _tls.ReadExactlyAsync(body, cts.Token);
        return SipParser.Parse([.. head, .. body]);
    }

    public ValueTask DisposeAsync()
    {
        _tls.Dispose();
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
