using Dialtone.Sip.Message;
using Dialtone.Sip.Tests.Infrastructure;
using Dialtone.Sip.Transport;
using Dialtone.Sip.UserAgent;

namespace Dialtone.Sip.Tests.UserAgent;

public sealed class RegistererTests : IAsyncDisposable
{
    private static readonly Guid Instance = Guid.Parse("1f0e6c3a-5d2b-4c8e-9a7f-3b6d2e1c0a94");
    private readonly StackHarness _h = new(SipTransportKind.Tcp);
    private readonly FakeRegistrar _registrar;

    public RegistererTests() => _registrar = new FakeRegistrar(_h.Peer);

    private Registerer Create(Func<RegistererOptions, RegistererOptions>? adjust = null)
    {
        var options = new RegistererOptions
        {
            AddressOfRecord = SipUri.Parse("sip:alice@example.test"),
            Registrar = SipUri.Parse("sip:10.0.0.2:5070;transport=tcp"),
            Transport = _h.Local,
            Expires = TimeSpan.FromSeconds(120),
            RefreshMargin = TimeSpan.FromSeconds(30),
            InstanceId = Instance,
            FlowRecoveryBaseDelay = TimeSpan.FromSeconds(10),
            FlowRecoveryMaxDelay = TimeSpan.FromSeconds(60),
        };
        return new Registerer(_h.Stack, adjust?.Invoke(options) ?? options);
    }

    private async Task RunAsync(Task task)
    {
        for (var i = 0; i < 50 && !task.IsCompleted; i++)
        {
            await _h.SettleAsync();
            await Task.Delay(10);
        }
        await task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    /// <summary>Waits (real time, bounded generously: a loaded machine runs many suites at once) until the condition holds.</summary>
    private async Task UntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await _h.SettleAsync();
            await Task.Delay(5);
        }
        Assert.True(condition());
    }

    [Fact]
    public async Task Register_carries_expiry_and_outbound_contact_and_refreshes_before_expiry()
    {
        await using var registerer = Create();
        await RunAsync(registerer.RegisterAsync());

        var first = _registrar.Last;
        Assert.Equal(120, first.Expires);
        var contact = Assert.Single(first.Contacts);
        Assert.Equal("\"<urn:uuid:1f0e6c3a-5d2b-4c8e-9a7f-3b6d2e1c0a94>\"", contact.Parameters.Get("+sip.instance"));
        Assert.Equal("1", contact.Parameters.Get("reg-id"));
        Assert.Contains("outbound", first.Headers[SipHeaderNames.Supported]);
        Assert.Equal(RegistrationState.Registered, registerer.State);
        Assert.Equal(TimeSpan.FromSeconds(120), registerer.GrantedExpires);

        // Refresh at 120 s − 30 s margin, not before.
        await _h.AdvanceAsync(TimeSpan.FromSeconds(89));
        Assert.Equal(1, _registrar.Count);
        await _h.AdvanceAsync(TimeSpan.FromSeconds(2));
        await UntilAsync(() => _registrar.Count == 2);
        Assert.Equal(first.CallId, _registrar.Last.CallId);
        Assert.Equal(first.CSeq!.Number + 1, _registrar.Last.CSeq!.Number);
    }

    [Fact]
    public async Task Interval_too_brief_is_retried_with_min_expires()
    {
        _registrar.Answer = r => r.Expires < 300
            ? (423, "Min-Expires: 300\r\n")
            : (200, $"Contact: {r.Headers[SipHeaderNames.Contact]};expires=300\r\nService-Route: <sip:edge.example.test;lr>\r\nRequire: outbound\r\nFlow-Timer: 25\r\n");
        await using var registerer = Create();
        await RunAsync(registerer.RegisterAsync());

        Assert.Equal(2, _registrar.Count);
        Assert.Equal(300, _registrar.Last.Expires);
        Assert.Equal(TimeSpan.FromSeconds(300), registerer.GrantedExpires);
        Assert.Equal("sip:edge.example.test;lr", Assert.Single(registerer.ServiceRoute).Uri.ToString());
        Assert.True(registerer.OutboundEnabled);
        Assert.Equal(TimeSpan.FromSeconds(25), registerer.FlowTimer);
        Assert.True(((SipUri)registerer.DialogContact.Uri).Parameters.Contains("ob"));
        Assert.False(((SipUri)registerer.Contact.Uri).Parameters.Contains("ob"));
    }

    [Fact]
    public async Task Closing_a_connection_to_another_peer_is_not_a_flow_failure()
    {
        await using var registerer = Create();
        await RunAsync(registerer.RegisterAsync());
        var elsewhere = new SipEndPoint(SipTransportKind.Tcp, new System.Net.IPEndPoint(System.Net.IPAddress.Parse("10.0.0.9"), 5060), "tcp7");
        _h.Local.SimulateConnectionClosed(elsewhere, null);
        Assert.Equal(RegistrationState.Registered, registerer.State);
    }

    [Fact]
    public async Task Refusal_fails_with_the_response()
    {
        _registrar.Answer = _ => (403, "");
        await using var registerer = Create();
        var ex = await Assert.ThrowsAsync<SipRequestFailedException>(() => RunAsync(registerer.RegisterAsync()));
        Assert.Equal(403, ex.StatusCode);
        Assert.Equal(RegistrationState.Failed, registerer.State);
    }

    [Fact]
    public async Task Flow_failure_reconnects_and_re_registers_after_a_jittered_probe_delay()
    {
        var reconnects = 0;
        var states = new List<RegistrationState>();
        await using var registerer = Create(o => o with { Reconnect = _ => { reconnects++; return Task.CompletedTask; } });
        registerer.StateChanged += (_, e) => { lock (states) states.Add(e.State); };
        await RunAsync(registerer.RegisterAsync());

        _h.Local.SimulateConnectionClosed(_h.PeerEndPoint, new SipTransportException("flow lost"));
        Assert.Equal(RegistrationState.Recovering, registerer.State);

        // The first probe comes after 50–100 % of the probe interval (2 s), not after the 10 s backoff base.
        await _h.AdvanceAsync(TimeSpan.FromSeconds(0.9));
        Assert.Equal(1, _registrar.Count);
        Assert.Equal(0, reconnects);
        await _h.AdvanceAsync(TimeSpan.FromSeconds(1.2));
        await UntilAsync(() => registerer.State == RegistrationState.Registered && _registrar.Count == 2);
        Assert.Equal(1, reconnects);
        // StateChanged is raised on the thread pool, in order, after State is set: the handler may
        // not have seen the last change yet when the property already shows it.
        await UntilAsync(() => { lock (states) return states.Count >= 5; });
        lock (states)
            Assert.Equal([RegistrationState.Registering, RegistrationState.Registered, RegistrationState.Recovering,
                          RegistrationState.Registering, RegistrationState.Registered], states);
    }

    [Fact]
    public async Task While_the_server_is_away_probes_keep_coming_jittered_and_registration_returns_within_one_interval()
    {
        var serverUp = true;
        var probes = new List<TimeSpan>();
        await using var registerer = Create(o => o with
        {
            Reconnect = _ =>
            {
                lock (probes)
                    probes.Add(_h.Time.GetUtcNow() - _h.Start);
                return serverUp ? Task.CompletedTask : Task.FromException(new SipTransportException("connection refused"));
            },
        });
        await RunAsync(registerer.RegisterAsync());
        serverUp = false;
        _h.Local.SimulateConnectionClosed(_h.PeerEndPoint, new SipTransportException("flow lost"));

        // A 60 s outage: the attempts never stretch out (an exponential backoff from 10 s would make
        // only 3 attempts), and each waits 1–2 s after the one before, at random.
        await _h.AdvanceAsync(TimeSpan.FromSeconds(60));
        List<TimeSpan> gaps;
        lock (probes)
            gaps = probes.Zip(probes.Skip(1), (a, b) => b - a).ToList();
        Assert.InRange(gaps.Count, 28, 60);
        Assert.All(gaps, g => Assert.InRange(g.TotalSeconds, 0.99, 2.11));
        Assert.True(gaps.Max() - gaps.Min() > TimeSpan.FromMilliseconds(300), "probe delays are jittered");
        Assert.Equal(RegistrationState.Recovering, registerer.State);

        // The server is back: registered again within one probe interval.
        serverUp = true;
        var back = _h.Time.GetUtcNow();
        var registers = _registrar.Count;
        for (var i = 0; i < 25 && _registrar.Count == registers; i++)
            await _h.AdvanceAsync(TimeSpan.FromMilliseconds(100));
        // The REGISTER went out: let it complete before reading the clock (no virtual time passes meanwhile).
        await UntilAsync(() => registerer.State == RegistrationState.Registered);
        Assert.InRange((_h.Time.GetUtcNow() - back).TotalSeconds, 0, 2.1);
    }

    [Fact]
    public async Task A_registrar_answering_unavailable_is_retried_after_a_backoff_and_its_retry_after()
    {
        await using var registerer = Create(o => o with { Reconnect = _ => Task.CompletedTask });
        await RunAsync(registerer.RegisterAsync());
        _registrar.Answer = _ => (503, "Retry-After: 40\r\n");
        _h.Local.SimulateConnectionClosed(_h.PeerEndPoint, new SipTransportException("flow lost"));
        await _h.AdvanceAsync(TimeSpan.FromSeconds(2.1));
        // The 503 was handled (Registering → Failed → Recovering) before virtual time moves on.
        await UntilAsync(() => _registrar.Count == 2 && registerer.State == RegistrationState.Recovering);
        // 503: not probed again at once; Retry-After (40 s) beats the 5–10 s backoff. The 503 came
        // 1–2.1 s after the close (the probe is jittered), so 38 s more stays short of its 40 s.
        await _h.AdvanceAsync(TimeSpan.FromSeconds(38));
        Assert.Equal(2, _registrar.Count);
        _registrar.Answer = r => (200, $"Contact: {r.Headers[SipHeaderNames.Contact]};expires={r.Expires}\r\n");
        for (var i = 0; i < 40 && _registrar.Count == 2; i++)
            await _h.AdvanceAsync(TimeSpan.FromMilliseconds(100));
        await UntilAsync(() => registerer.State == RegistrationState.Registered && _registrar.Count == 3);
    }

    [Fact]
    public async Task Dispose_unregisters_with_expires_zero()
    {
        var registerer = Create();
        await RunAsync(registerer.RegisterAsync());
        await RunAsync(registerer.DisposeAsync().AsTask());
        Assert.Equal(2, _registrar.Count);
        Assert.Equal(0, _registrar.Last.Expires);
        Assert.Equal(RegistrationState.Disposed, registerer.State);
    }

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();
}
