using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Tests.Infrastructure;
using Dialtone.Sip.Transactions;
using Dialtone.Sip.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Dialtone.Sip.Tests.Auth;

/// <summary>A client stack against a registrar-like stack that checks digests with the server's own computation.</summary>
public sealed class AuthenticatingSenderTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private readonly LoopbackNetwork _network = new();
    private readonly Registrar _registrar = new();
    private SipStack _client = null!;
    private SipStack _server = null!;

    public Task InitializeAsync()
    {
        _client = new SipStack([_network.Bind(SipTransportKind.Udp, "10.0.0.1", 5060, _time)], timeProvider: _time);
        _server = new SipStack([_network.Bind(SipTransportKind.Udp, "10.0.0.2", 5060, _time)], timeProvider: _time) { TransactionUser = _registrar };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    private static SipRequest Register() => SipRequestFactory.Create(
        SipMethods.Register, SipUri.Parse("sip:10.0.0.2"), new SipAddress(SipUri.Parse("sip:alice@10.0.0.2")), new SipAddress(SipUri.Parse("sip:alice@10.0.0.2")));

    [Fact]
    public async Task RightPassword_IsAcceptedAfterOneChallenge_WithCSeqIncremented()
    {
        var response = await _client.SendWithAuthenticationAsync(Register(), new SipDigestClient(new SipCredentials("alice", "pw")));
        Assert.Equal(200, response.StatusCode);
        Assert.Equal([1, 2], _registrar.Seen.Select(r => r.CSeq!.Number));
        Assert.NotEqual(_registrar.Seen[0].TopVia!.Branch, _registrar.Seen[1].TopVia!.Branch);
        Assert.Equal(_registrar.Seen[0].CallId, _registrar.Seen[1].CallId);
    }

    [Fact]
    public async Task WrongPassword_EndsInAuthenticationException_NotALoop()
    {
        var e = await Assert.ThrowsAsync<SipAuthenticationException>(() =>
            _client.SendWithAuthenticationAsync(Register(), new SipDigestClient(new SipCredentials("alice", "wrong"))));
        Assert.Equal(401, e.StatusCode);
        Assert.Equal("registrar", e.Realm);
        Assert.DoesNotContain("wrong", e.Message);
        Assert.Equal(2, _registrar.Seen.Count);
    }

    [Fact]
    public async Task StaleNonce_IsRetriedOnceWithoutAskingAgain()
    {
        _registrar.StaleOnce = true;
        var response = await _client.SendWithAuthenticationAsync(Register(), new SipDigestClient(new SipCredentials("alice", "pw")));
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(3, _registrar.Seen.Count);
    }

    [Fact]
    public async Task StaleForever_StopsAfterOneRetry()
    {
        _registrar.AlwaysStale = true;
        await Assert.ThrowsAsync<SipAuthenticationException>(() =>
            _client.SendWithAuthenticationAsync(Register(), new SipDigestClient(new SipCredentials("alice", "pw"))));
        Assert.Equal(3, _registrar.Seen.Count);
    }

    [Fact]
    public async Task Logs_CarrySipTracesAtDebug_ButNeverThePassword()
    {
        var stackLog = new ListLogger<SipStack>();
        var digestLog = new ListLogger<SipDigestClient>();
        await using var client = new SipStack([_network.Bind(SipTransportKind.Udp, "10.0.0.5", 5060, _time)], timeProvider: _time, logger: stackLog);
        var credentials = new SipCredentials("alice", "pw");
        await client.SendWithAuthenticationAsync(Register(), new SipDigestClient(credentials, digestLog));
        await Assert.ThrowsAsync<SipAuthenticationException>(() =>
            client.SendWithAuthenticationAsync(Register(), new SipDigestClient(new SipCredentials("alice", "Tr0ub4dor&3"), digestLog)));

        var all = stackLog.All + "\n" + digestLog.All;
        Assert.Contains(stackLog.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Debug && l.Text.Contains("REGISTER sip:10.0.0.2 SIP/2.0"));
        Assert.Contains("Authorization: Digest", all);
        Assert.DoesNotContain("Tr0ub4dor", all);
        Assert.DoesNotContain("password=", all, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Challenges with SHA-256 and MD5, accepts only a correct SHA-256 answer.</summary>
    private sealed class Registrar : ISipTransactionUser
    {
        private int _nonce;

        public List<SipRequest> Seen { get; } = [];

        public bool StaleOnce { get; set; }

        public bool AlwaysStale { get; set; }

        public void OnRequest(SipServerTransaction transaction)
        {
            var request = transaction.Request;
            Seen.Add(request);
            var auth = request.Headers[SipHeaderNames.Authorization];
            var stale = false;
            if (auth is not null)
            {
                if (Verify(auth, request) && !AlwaysStale && !StaleOnce)
                {
                    _ = transaction.SendResponseAsync(transaction.CreateResponse(200));
                    return;
                }
                stale = (StaleOnce || AlwaysStale) && Verify(auth, request);
                StaleOnce = false;
            }
            var nonce = "nonce" + ++_nonce;
            var challenge = transaction.CreateResponse(401);
            challenge.Headers.Add(SipHeaderNames.WwwAuthenticate, $"Digest realm=\"registrar\", nonce=\"{nonce}\", algorithm=MD5, qop=\"auth\"");
            challenge.Headers.Add(SipHeaderNames.WwwAuthenticate, $"Digest realm=\"registrar\", nonce=\"{nonce}\", algorithm=SHA-256, qop=\"auth\"{(stale ? ", stale=true" : "")}");
            _ = transaction.SendResponseAsync(challenge);
        }

        private static bool Verify(string header, SipRequest request)
        {
            string Field(string name)
            {
                var m = System.Text.RegularExpressions.Regex.Match(header, name + "=\"?([^\",]+)\"?");
                return m.Success ? m.Groups[1].Value : "";
            }
            if (Field("algorithm") != "SHA-256")
                return false;
            var expected = DigestCalculator.Response(DigestAlgorithm.Sha256, Field("username"), Field("realm"), "pw", Field("nonce"),
                request.Method, Field("uri"), Field("qop"), Convert.ToUInt32(Field("nc"), 16), Field("cnonce"));
            return expected == Field("response");
        }
    }
}
