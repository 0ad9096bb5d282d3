using System.Net;
using System.Net.Sockets;
using Dialtone.Sip.Message;
using Dialtone.Sip.Resolution;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace Dialtone.Phone;

/// <summary>
/// A user agent's way to its server: the SIP stack, the one transport that reaches the server, and
/// the send options that make every request go to the server (it is the outbound proxy, as for
/// JsSIP and every WebSocket client, whose peers are reachable only through it).
/// </summary>
internal sealed class SipConnection : IAsyncDisposable
{
    private SipConnection(SipStack stack, ISipTransport transport, SipEndPoint server, string contactTransport)
    {
        Stack = stack;
        Transport = transport;
        Server = server;
        ContactTransport = contactTransport;
    }

    public SipStack Stack { get; }

    public ISipTransport Transport { get; }

    public SipEndPoint Server { get; }

    /// <summary>The <c>transport</c> parameter of our Contact URI.</summary>
    public string ContactTransport { get; }

    /// <summary>Every request goes to the server over our transport.</summary>
    public SipSendOptions SendOptions => new(Server, Transport);

    /// <summary>The server as a loose-routing SIP URI, for components that route by Route header (the registerer).</summary>
    public SipUri OutboundProxy { get; private init; } = null!;

    /// <summary>
    /// Our Contact for <paramref name="user"/> before (or without) a registration: on WebSocket a
    /// <c>.invalid</c> host, reachable only through the server. Once registered, the registerer's
    /// <c>DialogContact</c> is used instead: it alone decides on RFC 5626's <c>ob</c> parameter.
    /// </summary>
    public SipAddress ContactFor(string user)
    {
        var local = Transport.LocalHostPort;
        return new SipAddress(new SipUri(local.Host, local.Port, user).WithParameter("transport", ContactTransport));
    }

    public static async Task<SipConnection> OpenAsync(UserAgentOptions options, CancellationToken cancellationToken)
    {
        var server = ServerAddress.Parse(options.Server);
        var loggers = options.LoggerFactory;
        ISipTransport transport;
        SipEndPoint destination;
        if (server.WebSocketUri is { } wsUri)
        {
            var ws = await SipWebSocketTransport.ConnectAsync(
                wsUri, new SipWebSocketOptions { Tls = options.Tls, KeepAliveInterval = options.KeepAliveInterval }, loggers.CreateLogger<SipWebSocketTransport>(), cancellationToken).ConfigureAwait(false);
            transport = ws;
            var connected = ws.RemoteEndPoint ?? throw new SipTransportException($"Lost the WebSocket to {wsUri} while connecting.");
            // No connection id: requests go over whichever WebSocket is current, also after a reconnect.
            destination = connected with { ConnectionId = null };
        }
        else
        {
            var target = server.SipUri!;
            // RFC 3263: a server named without a port is found by NAPTR/SRV, then A/AAAA.
            var resolved = await new SipUriResolver(new SipDnsResolver().AsHostResolver()).ResolveAsync(target, cancellationToken).ConfigureAwait(false);
            destination = resolved[0];
            transport = destination.Kind switch
            {
                // The configured server is trusted from the start: a user agent that never registers
                // (a node behind a dispatcher) still takes the calls and OPTIONS probes it sends.
                SipTransportKind.Udp => new SipUdpTransport(
                    new IPEndPoint(LocalAddressTowards(destination.Address.Address), 0), null, loggers.CreateLogger<SipUdpTransport>(),
                    new SipUdpTransportOptions { TrustedAddresses = [destination.Address.Address] }),
                _ => new SipStreamTransport(destination.Kind,
                    new SipStreamTransportOptions { Tls = options.Tls, KeepAliveInterval = options.KeepAliveInterval, TimeProvider = options.TimeProvider },
                    loggers.CreateLogger<SipStreamTransport>()),
            };
        }

        var stack = new SipStack([transport], new SipStackOptions { UserAgent = options.UserAgentName, SupportedExtensions = Sip.Sessions.SessionAgent.RequirableExtensions }, timeProvider: options.TimeProvider,
            logger: loggers.CreateLogger<SipStack>());
        var contactTransport = transport.Kind.ViaToken().ToLowerInvariant();
        return new SipConnection(stack, transport, destination, contactTransport)
        {
            OutboundProxy = (server.SipUri ?? new SipUri(SipHost(server.WebSocketUri!), server.WebSocketUri!.Port))
                .WithParameter("transport", contactTransport).WithParameter("lr"),
        };
    }

    /// <summary>A URL's host as a SIP URI writes it: IPv6 in brackets, names in their ASCII (IDN) form.</summary>
    private static string SipHost(Uri uri) => uri.HostNameType == UriHostNameType.IPv6 ? $"[{uri.IdnHost.Trim('[', ']')}]" : uri.IdnHost;

    /// <summary>
    /// The local address our packets to the server leave from now (null when no route leads there,
    /// e.g. in the middle of a network change).
    /// </summary>
    public IPAddress? CurrentLocalAddress()
    {
        try
        {
            return LocalAddressTowards(Server.Address.Address);
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>
    /// After a network change: moves our flow to <paramref name="localAddress"/>. UDP rebinds its
    /// socket there; TCP/TLS closes the connections it opened (the next request opens one from the
    /// new address); a WebSocket reconnects. The stack and everything above keep this transport.
    /// </summary>
    public async Task RenewFlowAsync(IPAddress localAddress, CancellationToken cancellationToken)
    {
        switch (Transport)
        {
            case SipUdpTransport udp:
                udp.Rebind(localAddress);
                break;
            case SipStreamTransport stream:
                stream.DropOutgoingConnections();
                break;
            case SipWebSocketTransport ws:
                await ws.ReconnectAsync(cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>The local address the OS would use to reach <paramref name="remote"/> (no packet is sent).</summary>
    private static IPAddress LocalAddressTowards(IPAddress remote)
    {
        using var probe = new Socket(remote.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Connect(remote, 9);
        return ((IPEndPoint)probe.LocalEndPoint!).Address;
    }

    public ValueTask DisposeAsync() => Stack.DisposeAsync();
}
