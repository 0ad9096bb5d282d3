using System.Net;
using Dialtone.Sip.Transport;
using DnsClient;
using DnsClient.Protocol;

namespace Dialtone.Sip.Resolution;

/// <summary>
/// RFC 3263 resolution with DnsClient: a numeric host or explicit port is used as is (A/AAAA
/// for a name); otherwise NAPTR chooses the transport, SRV the hosts and ports (RFC 2782
/// priority and weight), and A/AAAA the addresses. Only transports in
/// <see cref="SipDnsResolverOptions.SupportedTransports"/> are returned.
/// </summary>
public sealed class SipDnsResolver : ISipTargetResolver
{
    private readonly IDnsQuery _dns;
    private readonly SipDnsResolverOptions _options;

    public SipDnsResolver(IDnsQuery dns, SipDnsResolverOptions? options = null)
    {
        _dns = dns;
        _options = options ?? new SipDnsResolverOptions();
    }

    /// <summary>A resolver using the system's name servers.</summary>
    public SipDnsResolver() : this(new LookupClient())
    {
    }

    /// <summary>This resolver in the shape <see cref="Stack.SipUriResolver"/> plugs in.</summary>
    public Stack.SipHostResolver AsHostResolver() =>
        (host, port, transport, secure, ct) => ResolveAsync(new SipTargetRequest(host, port, transport, secure), ct);

    public async ValueTask<IReadOnlyList<SipEndPoint>> ResolveAsync(SipTargetRequest target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var host = target.Host.Trim('[', ']');
        if (target.Transport is { } forced && target.Secure && !forced.IsSecure())
            throw new SipResolutionException($"a sips: URI cannot use transport {forced.ViaToken()}");

        // §4.1: a numeric host or an explicit port fixes everything but the address lookup.
        if (IPAddress.TryParse(host, out var literal))
        {
            var kind = target.Transport ?? DefaultTransport(target.Secure);
            return [new SipEndPoint(kind, new IPEndPoint(literal, target.Port ?? DefaultPort(kind)))];
        }
        // localhost and hosts-file names are the operating system's, as for every other program:
        // no DNS, so no NAPTR/SRV either.
        if (LocalNames.Lookup(host, _options.HostsFile, _options.PreferIPv6) is { Count: > 0 } local)
        {
            var kind = target.Transport ?? DefaultTransport(target.Secure);
            return local.Select(a => Endpoint(kind, a, target.Port ?? DefaultPort(kind), host)).ToList();
        }
        if (target.Port is { } port)
        {
            var kind = target.Transport ?? DefaultTransport(target.Secure);
            return await AddressesAsync(host, kind, port, cancellationToken).ConfigureAwait(false);
        }

        List<SipEndPoint> result;
        if (target.Transport is { } transport)
        {
            result = await ServiceAsync(SrvName(transport, host), transport, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            result = await NaptrAsync(host, target.Secure, cancellationToken).ConfigureAwait(false);
            if (result.Count == 0)
            {
                // §4.1: no NAPTR — try SRV for every transport we support, in our preference order.
                foreach (var kind in _options.SupportedTransports.Where(k => !target.Secure || k.IsSecure()))
                {
                    if (SrvPrefix(kind) is null)
                        continue;
                    result.AddRange(await ServiceAsync(SrvName(kind, host), kind, cancellationToken).ConfigureAwait(false));
                }
            }
        }
        if (result.Count > 0)
            return Distinct(result);

        // §4.2: no SRV records — the name's A/AAAA records with the transport's default port.
        var fallback = target.Transport ?? DefaultTransport(target.Secure);
        return await AddressesAsync(host, fallback, DefaultPort(fallback), cancellationToken).ConfigureAwait(false);
    }

    private async Task<List<SipEndPoint>> NaptrAsync(string host, bool secure, CancellationToken cancellationToken)
    {
        var response = await _dns.QueryAsync(host, QueryType.NAPTR, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        var records = response.Answers.OfType<NAPtrRecord>()
            .Where(r => string.Equals(r.Flags, "s", StringComparison.OrdinalIgnoreCase))
            .Select(r => (Record: r, Kind: NaptrTransport(r.Services)))
            .Where(r => r.Kind is { } k && _options.SupportedTransports.Contains(k) && (!secure || k.IsSecure()))
            .OrderBy(r => r.Record.Order)
            .ThenBy(r => r.Record.Preference)
            .ToList();

        var result = new List<SipEndPoint>();
        foreach (var (record, kind) in records)
        {
            var name = record.Replacement.Value.TrimEnd('.');
            result.AddRange(await ServiceAsync(name, kind!.Value, cancellationToken).ConfigureAwait(false));
        }
        return result;
    }

    private async Task<List<SipEndPoint>> ServiceAsync(string serviceName, SipTransportKind kind, CancellationToken cancellationToken)
    {
        var response = await _dns.QueryAsync(serviceName, QueryType.SRV, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        var result = new List<SipEndPoint>();
        foreach (var srv in OrderSrv(response.Answers.OfType<SrvRecord>()))
        {
            var target = srv.Target.Value.TrimEnd('.');
            if (target.Length == 0)
                continue; // "." : service decidedly not available at this domain (RFC 2782)
            var known = response.Additionals.OfType<AddressRecord>()
                .Where(a => string.Equals(a.DomainName.Value.TrimEnd('.'), target, StringComparison.OrdinalIgnoreCase))
                .Select(a => a.Address)
                .ToList();
            if (known.Count > 0)
                result.AddRange(known.Select(a => Endpoint(kind, a, srv.Port, target)));
            else
                result.AddRange(await AddressesAsync(target, kind, srv.Port, cancellationToken, throwIfNone: false).ConfigureAwait(false));
        }
        return result;
    }

    /// <summary>RFC 2782: ascending priority; within one priority, a weighted random order.</summary>
    private IEnumerable<SrvRecord> OrderSrv(IEnumerable<SrvRecord> records)
    {
        foreach (var group in records.GroupBy(r => r.Priority).OrderBy(g => g.Key))
        {
            var pool = group.OrderBy(r => r.Weight).ToList(); // zero weights first, as the RFC suggests
            while (pool.Count > 0)
            {
                var total = pool.Sum(r => (int)r.Weight);
                var pick = _options.Random.Next(total + 1);
                var running = 0;
                var chosen = pool[^1];
                foreach (var r in pool)
                {
                    running += r.Weight;
                    if (running >= pick)
                    {
                        chosen = r;
                        break;
                    }
                }
                pool.Remove(chosen);
                yield return chosen;
            }
        }
    }

    private async Task<List<SipEndPoint>> AddressesAsync(
        string host, SipTransportKind kind, int port, CancellationToken cancellationToken, bool throwIfNone = true)
    {
        var addresses = LocalNames.Lookup(host, _options.HostsFile, _options.PreferIPv6);
        QueryType[] types = addresses.Count > 0 ? [] : _options.PreferIPv6 ? [QueryType.AAAA, QueryType.A] : [QueryType.A, QueryType.AAAA];
        foreach (var type in types)
        {
            var response = await _dns.QueryAsync(host, type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
            addresses.AddRange(response.Answers.OfType<AddressRecord>().Select(a => a.Address));
        }
        if (addresses.Count == 0 && throwIfNone)
            throw new SipResolutionException($"no A or AAAA records for {host}");
        return addresses.Select(a => Endpoint(kind, a, port, host)).ToList();
    }

    private static SipEndPoint Endpoint(SipTransportKind kind, IPAddress address, int port, string hostName) =>
        new(kind, new IPEndPoint(address, port)) { HostName = hostName };

    private static List<SipEndPoint> Distinct(List<SipEndPoint> endPoints) => endPoints.Distinct().ToList();

    private static SipTransportKind DefaultTransport(bool secure) => secure ? SipTransportKind.Tls : SipTransportKind.Udp;

    /// <summary>RFC 3261 §19.1.2: 5060, 5061 for TLS; WebSocket uses its URI defaults 80/443 (RFC 7118), as <see cref="Stack.SipUriResolver"/> does.</summary>
    public static int DefaultPort(SipTransportKind kind) => Stack.SipUriResolver.DefaultPort(kind);

    private static string? SrvPrefix(SipTransportKind kind) => kind switch
    {
        SipTransportKind.Udp => "_sip._udp.",
        SipTransportKind.Tcp => "_sip._tcp.",
        SipTransportKind.Tls => "_sips._tcp.",
        SipTransportKind.Ws => "_sip._ws.",
        SipTransportKind.Wss => "_sips._ws.",
        _ => null,
    };

    private static string SrvName(SipTransportKind kind, string host) => SrvPrefix(kind) + host;

    /// <summary>NAPTR service tags (RFC 3263 §4.1, RFC 7118 §7 for WebSocket).</summary>
    private static SipTransportKind? NaptrTransport(string services) => services.ToUpperInvariant() switch
    {
        "SIP+D2U" => SipTransportKind.Udp,
        "SIP+D2T" => SipTransportKind.Tcp,
        "SIPS+D2T" => SipTransportKind.Tls,
        "SIP+D2W" => SipTransportKind.Ws,
        "SIPS+D2W" => SipTransportKind.Wss,
        _ => null,
    };
}

/// <summary>Options for <see cref="SipDnsResolver"/>.</summary>
public sealed record SipDnsResolverOptions
{
    /// <summary>Transports the client can use, in its order of preference when DNS does not decide.</summary>
    public IReadOnlyList<SipTransportKind> SupportedTransports { get; init; } =
        [SipTransportKind.Udp, SipTransportKind.Tcp, SipTransportKind.Tls];

    /// <summary>List AAAA addresses before A addresses.</summary>
    public bool PreferIPv6 { get; init; }

    /// <summary>
    /// The hosts file consulted before DNS (the platform's by default); null to skip it.
    /// <c>localhost</c> is the loopback address regardless (RFC 6761).
    /// </summary>
    public string? HostsFile { get; init; } = LocalNames.DefaultHostsFile;

    /// <summary>Source of randomness for SRV weights (seeded in tests).</summary>
    public Random Random { get; init; } = Random.Shared;
}
