using System.Net;
using Dialtone.Sip.Resolution;
using Dialtone.Sip.Transport;
using DnsClient;

namespace Dialtone.Sip.Tests.Resolution;

public sealed class SipDnsResolverTests : IAsyncLifetime
{
    private readonly MiniDnsServer _dns = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _dns.DisposeAsync();

    private SipDnsResolver Resolver(SipDnsResolverOptions? options = null) =>
        new(new LookupClient(new LookupClientOptions(new NameServer(_dns.EndPoint))
        {
            UseCache = false,
            Retries = 0,
            Timeout = TimeSpan.FromSeconds(3),
            UseTcpFallback = false,
        }), options);

    private static string Show(SipEndPoint e) => $"{e.Kind.ViaToken()} {e.Address} {e.HostName}";

    [Fact]
    public async Task Naptr_orders_transports_then_srv_gives_hosts_and_ports()
    {
        _dns.Naptr("example.test", 10, 10, "s", "SIPS+D2T", "_sips._tcp.example.test")
            .Naptr("example.test", 20, 10, "s", "SIP+D2T", "_sip._tcp.example.test")
            .Naptr("example.test", 30, 10, "s", "SIP+D2U", "_sip._udp.example.test")
            .Srv("_sips._tcp.example.test", 0, 0, 5061, "tls.example.test")
            .Srv("_sip._tcp.example.test", 0, 0, 5070, "tcp.example.test")
            .Srv("_sip._udp.example.test", 0, 0, 5080, "udp.example.test")
            .A("tls.example.test", "192.0.2.1")
            .A("tcp.example.test", "192.0.2.2")
            .A("udp.example.test", "192.0.2.3");

        var result = await Resolver().ResolveAsync(new SipTargetRequest("example.test"));

        Assert.Equal(
            ["TLS 192.0.2.1:5061 tls.example.test", "TCP 192.0.2.2:5070 tcp.example.test", "UDP 192.0.2.3:5080 udp.example.test"],
            result.Select(Show));
    }

    [Theory]
    [InlineData(null, false, "UDP 127.0.0.1:5060 localhost")]
    [InlineData(SipTransportKind.Tcp, false, "TCP 127.0.0.1:5060 localhost")]
    [InlineData(SipTransportKind.Tls, false, "TLS 127.0.0.1:5061 localhost")]
    [InlineData(null, true, "TLS 127.0.0.1:5061 localhost")]
    [InlineData(SipTransportKind.Ws, false, "WS 127.0.0.1:80 localhost")]
    public async Task Localhost_is_the_loopback_for_every_transport_without_asking_dns(SipTransportKind? transport, bool secure, string first)
    {
        // The test's DNS server knows nothing: localhost never reaches it (RFC 6761 §6.3).
        var result = await Resolver(new SipDnsResolverOptions { HostsFile = null }).ResolveAsync(new SipTargetRequest("localhost", null, transport, secure));
        Assert.Equal(first, Show(result[0]));
        Assert.Contains(result, e => e.Address.Address.Equals(IPAddress.IPv6Loopback));
        var withPort = await Resolver(new SipDnsResolverOptions { HostsFile = null }).ResolveAsync(new SipTargetRequest("LOCALHOST", 5099, SipTransportKind.Tcp));
        Assert.Equal("TCP 127.0.0.1:5099 LOCALHOST", Show(withPort[0]));
    }

    [Fact]
    public async Task A_name_in_the_hosts_file_resolves_without_dns_and_so_does_an_srv_target()
    {
        var hosts = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(hosts, "# test hosts\n127.0.0.1\tlocalhost\n192.0.2.77  pbx.lan pbx # the office PBX\n2001:db8::7 pbx.lan\nbad-line\n");
            var resolver = Resolver(new SipDnsResolverOptions { HostsFile = hosts });
            Assert.Equal(["TCP 192.0.2.77:5060 pbx.lan", "TCP [2001:db8::7]:5060 pbx.lan"],
                (await resolver.ResolveAsync(new SipTargetRequest("pbx.lan", null, SipTransportKind.Tcp))).Select(Show));
            Assert.Equal(["TLS 192.0.2.77:5061 PBX"], (await resolver.ResolveAsync(new SipTargetRequest("PBX", Secure: true))).Select(Show).Take(1));

            _dns.Srv("_sip._tcp.example.test", 0, 0, 5070, "pbx.lan");
            Assert.Equal("TCP 192.0.2.77:5070 pbx.lan", Show((await resolver.ResolveAsync(new SipTargetRequest("example.test", null, SipTransportKind.Tcp)))[0]));
        }
        finally
        {
            File.Delete(hosts);
        }
    }

    [Fact]
    public async Task Sips_uri_keeps_only_secure_transports()
    {
        _dns.Naptr("example.test", 10, 10, "s", "SIP+D2U", "_sip._udp.example.test")
            .Naptr("example.test", 20, 10, "s", "SIPS+D2T", "_sips._tcp.example.test")
            .Srv("_sip._udp.example.test", 0, 0, 5060, "udp.example.test")
            .Srv("_sips._tcp.example.test", 0, 0, 5061, "tls.example.test")
            .A("udp.example.test", "192.0.2.3")
            .A("tls.example.test", "192.0.2.1");

        var result = await Resolver().ResolveAsync(new SipTargetRequest("example.test", Secure: true));

        Assert.Equal(["TLS 192.0.2.1:5061 tls.example.test"], result.Select(Show));
    }

    [Fact]
    public async Task Without_naptr_srv_is_tried_for_each_supported_transport()
    {
        _dns.Srv("_sip._tcp.example.test", 0, 0, 5070, "tcp.example.test")
            .A("tcp.example.test", "192.0.2.2");

        var result = await Resolver().ResolveAsync(new SipTargetRequest("example.test"));

        Assert.Equal(["TCP 192.0.2.2:5070 tcp.example.test"], result.Select(Show));
        Assert.Contains("example.test NAPTR", _dns.Queries);
        Assert.Contains("_sip._udp.example.test SRV", _dns.Queries);
        Assert.Contains("_sips._tcp.example.test SRV", _dns.Queries);
    }

    [Fact]
    public async Task Srv_priority_comes_before_order_of_listing()
    {
        _dns.Srv("_sip._udp.example.test", 20, 0, 5062, "backup.example.test")
            .Srv("_sip._udp.example.test", 10, 0, 5061, "primary.example.test")
            .A("backup.example.test", "192.0.2.20")
            .A("primary.example.test", "192.0.2.10");

        var result = await Resolver().ResolveAsync(new SipTargetRequest("example.test", Transport: SipTransportKind.Udp));

        Assert.Equal(["UDP 192.0.2.10:5061 primary.example.test", "UDP 192.0.2.20:5062 backup.example.test"], result.Select(Show));
        Assert.DoesNotContain("example.test NAPTR", _dns.Queries);
    }

    [Fact]
    public async Task Explicit_port_skips_naptr_and_srv()
    {
        _dns.A("sip.example.test", "192.0.2.7").Aaaa("sip.example.test", "2001:db8::7");

        var result = await Resolver().ResolveAsync(new SipTargetRequest("sip.example.test", Port: 5999, Transport: SipTransportKind.Tcp));

        Assert.Equal(["TCP 192.0.2.7:5999 sip.example.test", "TCP [2001:db8::7]:5999 sip.example.test"], result.Select(Show));
        Assert.Equal(["sip.example.test A", "sip.example.test AAAA"], _dns.Queries.Order());
    }

    [Fact]
    public async Task Numeric_host_needs_no_dns_at_all()
    {
        var result = await Resolver().ResolveAsync(new SipTargetRequest("[2001:db8::1]", Secure: true));

        var single = Assert.Single(result);
        Assert.Equal(new SipEndPoint(SipTransportKind.Tls, new IPEndPoint(IPAddress.Parse("2001:db8::1"), 5061)), single);
        Assert.Empty(_dns.Queries);
    }

    [Fact]
    public async Task No_naptr_or_srv_falls_back_to_address_records_on_the_default_port()
    {
        _dns.A("plain.example.test", "192.0.2.9");

        var result = await Resolver().ResolveAsync(new SipTargetRequest("plain.example.test"));

        Assert.Equal(["UDP 192.0.2.9:5060 plain.example.test"], result.Select(Show));
    }

    [Fact]
    public async Task A_name_with_no_records_is_a_resolution_error()
    {
        var ex = await Assert.ThrowsAsync<SipResolutionException>(() =>
            Resolver().ResolveAsync(new SipTargetRequest("nothing.example.test")).AsTask());
        Assert.Contains("nothing.example.test", ex.Message);
    }

    [Fact]
    public async Task Sips_with_an_insecure_transport_parameter_is_refused()
    {
        await Assert.ThrowsAsync<SipResolutionException>(() =>
            Resolver().ResolveAsync(new SipTargetRequest("example.test", Transport: SipTransportKind.Udp, Secure: true)).AsTask());
    }
}
