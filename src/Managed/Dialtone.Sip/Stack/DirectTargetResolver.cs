using System.Net;
using System.Net.Sockets;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Stack;

/// <summary>
/// The simple resolver used when no RFC 3263 resolver is plugged in: transport from the
/// <c>transport</c> parameter (TLS for sips:), host from <c>maddr</c> or the URI, A/AAAA lookup
/// for names, default port 5060 (5061 for TLS). No NAPTR/SRV.
/// </summary>
public sealed class DirectTargetResolver : ISipTargetResolver
{
    public async ValueTask<IReadOnlyList<SipEndPoint>> ResolveAsync(SipUri target, CancellationToken cancellationToken)
    {
        var kind = TransportOf(target);
        var port = target.Port ?? DefaultPort(kind);
        var host = (target.MaddrParameter ?? target.Host).Trim('[', ']');
        if (IPAddress.TryParse(host, out var literal))
            return [new SipEndPoint(kind, new IPEndPoint(literal, port))];
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new SipTransportException($"Cannot resolve '{host}': {e.Message}", e);
        }
        if (addresses.Length == 0)
            throw new SipTransportException($"'{host}' has no addresses");
        return addresses.Select(a => new SipEndPoint(kind, new IPEndPoint(a, port))).ToArray();
    }

    /// <summary>The transport a URI asks for (RFC 3263 §4.1 without NAPTR): transport param, else TLS for sips, else UDP.</summary>
    public static SipTransportKind TransportOf(SipUri uri) => uri.Transport switch
    {
        "tcp" => uri.IsSecure ? SipTransportKind.Tls : SipTransportKind.Tcp,
        "tls" => SipTransportKind.Tls,
        "ws" => uri.IsSecure ? SipTransportKind.Wss : SipTransportKind.Ws,
        "wss" => SipTransportKind.Wss,
        "udp" or null => uri.IsSecure ? SipTransportKind.Tls : SipTransportKind.Udp,
        var other => throw new SipTransportException($"Unsupported transport '{other}' in {uri}"),
    };

    public static int DefaultPort(SipTransportKind kind) => kind switch
    {
        SipTransportKind.Tls => 5061,
        SipTransportKind.Ws => 80,
        SipTransportKind.Wss => 443,
        _ => 5060,
    };
}
