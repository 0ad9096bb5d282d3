using System.Net;
using System.Net.Sockets;
using System.Text;
using Dialtone.Sip.Message;

namespace Dialtone.Cli.Commands;

/// <summary>
/// Over UDP nothing says "nobody is there" except an ICMP port-unreachable, which the SIP stack's
/// unconnected socket never sees: a request to a dead server is retransmitted for 32 s (Timer B).
/// Before starting, the CLI sends one OPTIONS from a connected socket, which does see that ICMP
/// error, and stops at once when it comes. Any answer, or silence (a firewall may drop ICMP), lets
/// the command go on; only a refusal is conclusive.
/// </summary>
internal static class UdpProbe
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(2);

    public static async Task CheckAsync(string server, CancellationToken cancellationToken)
    {
        if (!SipUri.TryParse(server, out var uri) || uri is null || uri.IsSecure || (uri.Transport ?? "udp") != "udp")
            return;
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.Host.Trim('[', ']'), out var literal) ? [literal]
                : uri.Port is null ? [] // a name without a port is found by SRV (RFC 3263); not probed
                : await Dns.GetHostAddressesAsync(uri.Host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return; // the stack's resolver reports names it cannot find
        }
        if (addresses.Length == 0)
            return;
        var target = new IPEndPoint(addresses[0], uri.Port ?? 5060);
        using var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            await socket.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
            var local = (IPEndPoint)socket.LocalEndPoint!;
            var host = local.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{local.Address}]" : local.Address.ToString();
            var id = Guid.NewGuid().ToString("N");
            var options = $"OPTIONS sip:{uri.HostPort} SIP/2.0\r\n"
                + $"Via: SIP/2.0/UDP {host}:{local.Port};branch=z9hG4bK{id[..16]};rport\r\n"
                + "Max-Forwards: 70\r\n"
                + $"From: <sip:probe@{host}>;tag={id[16..24]}\r\n"
                + $"To: <sip:{uri.HostPort}>\r\n"
                + $"Call-ID: {id}\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(options), cancellationToken).ConfigureAwait(false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Wait);
            await socket.ReceiveAsync(new byte[4096], timeout.Token).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
        {
            throw new CliException(ExitCode.ServerUnreachable,
                $"Cannot reach the SIP server {server}: nothing answers at {target} over UDP (port unreachable).", e);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // No answer within the wait: maybe ICMP is filtered; the command goes on and its own timeouts decide.
        }
        catch (SocketException)
        {
            // Anything else (no route…) is for the SIP stack to report in its own words.
        }
    }
}
