using System.Net;
using System.Net.Sockets;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Stack;

/// <summary>
/// Resolves a SIP URI: <c>maddr</c> overrides the host, the <c>transport</c> parameter and the
/// sips: scheme pick the transport, and the host lookup goes to the given <see cref="SipHostResolver"/>
/// (plug the RFC 3263 DNS resolver here). Without one: IP literals as they are, names by A/AAAA,
/// default transport UDP (TLS for sips:), default port 5060 (5061 TLS, 80 WS, 443 WSS).
/// </summary>
public sealed class SipUriResolver(SipHostResolver? hostResolver = null) : ISipUriResolver
{
    private readonly SipHostResolver _hostResolver = hostResolver ?? ResolveDirectAsync;

    public async ValueTask<IReadOnlyList<SipEndPoint>> ResolveAsync(SipUri target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var host = (target.MaddrParameter ?? target.Host).Trim('[', ']');
        IReadOnlyList<SipEndPoint> result;
        try
        {
            result = await _hostResolver(host, target.Port, TransportOf(target), target.IsSecure, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (SipTransportException or OperationCanceledException))
        {
            // Whatever the plugged resolver throws (DNS errors…), callers see one exception type.
            throw new SipTransportException($"Cannot resolve {target}: {e.Message}", e);
        }
        return result.Count > 0 ? result : throw new SipTransportException($"No destination for {target}");
    }

    /// <summary>The transport the URI names (transport parameter, TLS for sips:), or null when it leaves the choice open.</summary>
    public static SipTransportKind? TransportOf(SipUri uri) => uri.Transport switch
    {
        null => uri.IsSecure ? SipTransportKind.Tls : null,
        "udp" => uri.IsSecure ? throw new SipTransportException($"{uri}: sips: cannot use UDP") : SipTransportKind.Udp,
        "tcp" => uri.IsSecure ? SipTransportKind.Tls : SipTransportKind.Tcp,
        "tls" => SipTransportKind.Tls,
        "ws" => uri.IsSecure ? SipTransportKind.Wss : SipTransportKind.Ws,
        "wss" => SipTransportKind.Wss,
        var other => throw new SipTransportException($"Unsupported transport '{other}' in {uri}"),
    };

    public static int DefaultPort(SipTransportKind kind) => kind switch
    {
        SipTransportKind.Tls => 5061,
        SipTransportKind.Ws => 80,
        SipTransportKind.Wss => 443,
        _ => 5060,
    };

    /// <summary>The fallback host lookup: no NAPTR/SRV, just the address records.</summary>
    public static async ValueTask<IReadOnlyList<SipEndPoint>> ResolveDirectAsync(string host, int? port, SipTransportKind? transport, bool secure, CancellationToken cancellationToken)
    {
        var kind = transport ?? (secure ? SipTransportKind.Tls : SipTransportKind.Udp);
        var p = port ?? DefaultPort(kind);
        if (IPAddress.TryParse(host, out var literal))
            return [new SipEndPoint(kind, new IPEndPoint(literal, p))];
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new SipTransportException($"Cannot resolve '{host}': {e.Message}", e);
        }
        // The name travels with the address: TLS verifies the certificate against it (and sends it as SNI).
        return addresses.Select(a => new SipEndPoint(kind, new IPEndPoint(a, p)) { HostName = host }).ToArray();
    }
}
