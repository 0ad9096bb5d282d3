using System.Threading.Channels;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Transactions;
using Dialtone.Sip.Transport;
using Dialtone.Sip.UserAgent;

namespace Dialtone.Sip.IntegrationTests.Infrastructure;

/// <summary>One user agent (transport + stack + OPTIONS/MESSAGE agent + registerer) for a Kamailio account.</summary>
internal sealed class TestPhone : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private readonly Channel<SipTextMessage> _messages = Channel.CreateUnbounded<SipTextMessage>();
    private readonly Channel<RegistrationStateChangedEventArgs> _states = Channel.CreateUnbounded<RegistrationStateChangedEventArgs>();

    private TestPhone(string user, ISipTransport transport, SipUri outboundProxy, string password, RegistererOptions? overrides)
    {
        User = user;
        Transport = transport;
        Stack = new SipStack([transport], new SipStackOptions { UserAgent = "Dialtone-IntegrationTests" });
        var aor = new SipUri(KamailioServer.Domain, user: user);
        var credentials = new SipCredentials(user, password);
        Agent = new SipUserAgent(Stack, new SipUserAgentOptions
        {
            AddressOfRecord = aor,
            Credentials = credentials,
            OutboundProxy = outboundProxy,
            Transport = transport,
        });
        Agent.MessageReceived += (_, m) => _messages.Writer.TryWrite(m);
        var options = (overrides ?? new RegistererOptions { AddressOfRecord = aor, Transport = transport }) with
        {
            AddressOfRecord = aor,
            Transport = transport,
            Credentials = credentials,
            OutboundProxy = outboundProxy,
            InstanceId = overrides?.InstanceId ?? Guid.NewGuid(),
        };
        Registerer = new Registerer(Stack, options);
        Registerer.StateChanged += (_, e) => _states.Writer.TryWrite(e);
    }

    public string User { get; }
    public ISipTransport Transport { get; }
    public SipStack Stack { get; }
    public SipUserAgent Agent { get; }
    public Registerer Registerer { get; }

    public static SipUri Aor(string user) => new(KamailioServer.Domain, user: user);

    public static async Task<TestPhone> OverWebSocketAsync(KamailioServer server, string user, bool secure = false,
        string? password = null, RegistererOptions? registerer = null, SipWebSocketOptions? webSocket = null)
    {
        var uri = secure ? server.WssUri : server.WsUri;
        var transport = await SipWebSocketTransport.ConnectAsync(uri, (webSocket ?? new SipWebSocketOptions
        {
            KeepAliveInterval = TimeSpan.FromSeconds(5),
        }) with
        {
            Tls = new SipTlsOptions { TrustedRootCertificates = [server.CaCertificate] },
        });
        var proxy = SipUri.Parse($"sip:127.0.0.1:{(secure ? server.WssPort : server.WsPort)};transport={(secure ? "wss" : "ws")};lr");
        return new TestPhone(user, transport, proxy, password ?? KamailioServer.Passwords[user], registerer);
    }

    public static TestPhone OverStream(KamailioServer server, string user, SipTransportKind kind, RegistererOptions? registerer = null,
        TimeSpan? keepAlive = null)
    {
        ISipTransport transport;
        SipUri proxy;
        if (kind == SipTransportKind.Udp)
        {
            transport = new SipUdpTransport(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
            proxy = SipUri.Parse($"sip:127.0.0.1:{server.SipPort};transport=udp;lr");
        }
        else
        {
            transport = new SipStreamTransport(kind, new SipStreamTransportOptions
            {
                Tls = new SipTlsOptions { TrustedRootCertificates = [server.CaCertificate] },
                KeepAliveInterval = keepAlive,
                KeepAlivePongTimeout = keepAlive ?? TimeSpan.FromSeconds(10),
            });
            proxy = kind == SipTransportKind.Tls
                ? SipUri.Parse($"sip:localhost:{server.TlsPort};transport=tls;lr")
                : SipUri.Parse($"sip:127.0.0.1:{server.SipPort};transport=tcp;lr");
        }
        return new TestPhone(user, transport, proxy, KamailioServer.Passwords[user], registerer);
    }

    public async Task<SipTextMessage> NextMessageAsync() => await _messages.Reader.ReadAsync().AsTask().WaitAsync(Wait);

    public bool HasMessage => _messages.Reader.Count > 0;

    /// <summary>Waits until the registerer reports <paramref name="state"/>, returning that event.</summary>
    public async Task<RegistrationStateChangedEventArgs> WaitForStateAsync(RegistrationState state)
    {
        using var cts = new CancellationTokenSource(Wait);
        await foreach (var e in _states.Reader.ReadAllAsync(cts.Token))
        {
            if (e.State == state)
                return e;
        }
        throw new InvalidOperationException("state channel ended");
    }

    /// <summary>Sends OPTIONS to another user through Kamailio and returns the final response.</summary>
    public async Task<SipResponse> SendOptionsAsync(SipUri target, SipUri proxy)
    {
        var request = SipRequestFactory.Create(SipMethods.Options, target, new SipAddress(Aor(User)), new SipAddress(target));
        request.Headers.Add(SipHeaderNames.Route, new SipAddress(proxy).ToString());
        return await Stack.SendRequestAsync(request, new SipSendOptions(Transport: Transport)).WaitAsync(Wait);
    }

    public async ValueTask DisposeAsync()
    {
        await Registerer.DisposeAsync();
        await Stack.DisposeAsync();
        await Transport.DisposeAsync();
    }
}
