using System.Security.Cryptography;
using System.Text;
using Dialtone.Sip.Message;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dialtone.Sip.Auth;

/// <summary>
/// Answers Digest challenges (RFC 3261 §22, RFC 2617, RFC 7616, RFC 8760) for one set of
/// credentials: picks the strongest supported algorithm per realm, prefers qop=auth (auth-int
/// when that is all that is offered), counts nonce uses (nc) and makes fresh cnonces. It also
/// remembers the last challenge per realm so later requests (e.g. REGISTER refreshes) can carry
/// credentials pre-emptively. Thread-safe: several requests may share one client.
/// </summary>
public sealed class SipDigestClient
{
    private readonly SipCredentials _credentials;
    private readonly Func<string> _cnonce;
    private readonly ILogger _logger;
    private readonly Dictionary<string, NonceState> _realms = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public SipDigestClient(SipCredentials credentials, ILogger<SipDigestClient>? logger = null, Func<string>? cnonceFactory = null)
    {
        _credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        _logger = logger ?? NullLogger<SipDigestClient>.Instance;
        _cnonce = cnonceFactory ?? (() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
    }

    public SipCredentials Credentials => _credentials;

    /// <summary>
    /// Picks the challenges to answer from a 401/407: per realm the strongest algorithm we
    /// support, only realms our credentials cover. Throws <see cref="SipAuthenticationException"/> when none is left.
    /// </summary>
    public IReadOnlyList<DigestChallenge> SelectChallenges(SipResponse response)
    {
        if (response.StatusCode is not (401 or 407))
            throw new ArgumentException("Only 401 and 407 carry challenges.", nameof(response));
        var all = DigestChallenge.FromResponse(response);
        var chosen = all
            .Where(c => c.Algorithm is not null && _credentials.AppliesTo(c.Realm))
            .GroupBy(c => c.Realm, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(c => c.Algorithm!.Value).First())
            .ToList();
        if (chosen.Count == 0)
        {
            var offered = string.Join(", ", all.Select(c => $"{c.Realm}/{c.AlgorithmToken ?? "MD5"}"));
            throw new SipAuthenticationException(
                all.Count == 0 ? $"{response.StatusCode} without a usable Digest challenge" : $"No supported algorithm or matching realm among the challenges ({offered})",
                response.StatusCode, all.FirstOrDefault()?.Realm);
        }
        return chosen;
    }

    /// <summary>Adds an Authorization/Proxy-Authorization header answering <paramref name="challenge"/> to <paramref name="request"/>.</summary>
    public void Authorize(SipRequest request, DigestChallenge challenge)
    {
        var algorithm = challenge.Algorithm ?? throw new ArgumentException($"Unsupported algorithm {challenge.AlgorithmToken}.", nameof(challenge));
        uint nc;
        lock (_lock)
        {
            if (!_realms.TryGetValue(challenge.Realm, out var state) || state.Challenge.Nonce != challenge.Nonce)
                _realms[challenge.Realm] = state = new NonceState(challenge);
            state.Challenge = challenge;
            nc = ++state.NonceCount;
        }
        var headerName = challenge.IsProxy ? SipHeaderNames.ProxyAuthorization : SipHeaderNames.Authorization;
        RemoveAnswerFor(request, headerName, challenge.Realm);
        request.Headers.Add(headerName, BuildCredentials(request, challenge, algorithm, nc));
        _logger.LogDebug("Answering {Kind} challenge for realm {Realm} with {Algorithm} as {User}", challenge.IsProxy ? "proxy" : "server", challenge.Realm, algorithm.Token(), _credentials.Username);
    }

    /// <summary>
    /// Adds credentials for every realm answered before (next nonce-count on the remembered
    /// nonce), so a refresh need not be challenged again. Returns false when there is none.
    /// </summary>
    public bool AuthorizePreemptively(SipRequest request)
    {
        DigestChallenge[] remembered;
        lock (_lock)
            remembered = _realms.Values.Select(r => r.Challenge).ToArray();
        foreach (var challenge in remembered)
            Authorize(request, challenge);
        return remembered.Length > 0;
    }

    /// <summary>Forgets remembered nonces (e.g. after the server rejected them).</summary>
    public void Reset()
    {
        lock (_lock)
            _realms.Clear();
    }

    private string BuildCredentials(SipRequest request, DigestChallenge challenge, DigestAlgorithm algorithm, uint nc)
    {
        var qop = challenge.Qop.Contains("auth") ? "auth" : challenge.Qop.Contains("auth-int") ? "auth-int" : null;
        if (qop is null && challenge.Qop.Count > 0)
            throw new SipAuthenticationException($"Unsupported qop '{string.Join(",", challenge.Qop)}'", challenge.IsProxy ? 407 : 401, challenge.Realm);
        var cnonce = qop is not null || algorithm.IsSession() ? _cnonce() : null;
        var uri = request.RequestUri.ToString();
        var response = DigestCalculator.Response(
            algorithm, _credentials.Username, challenge.Realm, _credentials.Password, challenge.Nonce,
            request.Method, uri, qop, nc, cnonce, request.Body.Span);
        // RFC 7616 §3.4.4: with userhash the username travels as H(username:realm); the response is unchanged.
        var username = challenge.UserHash ? algorithm.Hash($"{_credentials.Username}:{challenge.Realm}") : _credentials.Username;
        var sb = new StringBuilder(256)
            .Append("Digest username=").Append(SipSyntax.Quote(username))
            .Append(", realm=").Append(SipSyntax.Quote(challenge.Realm))
            .Append(", nonce=").Append(SipSyntax.Quote(challenge.Nonce))
            .Append(", uri=").Append(SipSyntax.Quote(uri))
            .Append(", response=\"").Append(response).Append('"')
            .Append(", algorithm=").Append(challenge.AlgorithmToken ?? algorithm.Token());
        if (cnonce is not null)
            sb.Append(", cnonce=").Append(SipSyntax.Quote(cnonce));
        if (challenge.Opaque is not null)
            sb.Append(", opaque=").Append(SipSyntax.Quote(challenge.Opaque));
        if (qop is not null)
            sb.Append(", qop=").Append(qop).Append(", nc=").Append(DigestCalculator.NonceCount(nc));
        if (challenge.UserHash)
            sb.Append(", userhash=true");
        return sb.ToString();
    }

    private static void RemoveAnswerFor(SipRequest request, string headerName, string realm)
    {
        foreach (var h in request.Headers.All(headerName).ToList())
        {
            try
            {
                if (AuthParameterParser.Parse(h.Value, headerName, out _).GetValueOrDefault("realm") == realm)
                    request.Headers.Remove(h);
            }
            catch (SipParseException)
            {
                request.Headers.Remove(h);
            }
        }
    }

    private sealed class NonceState(DigestChallenge challenge)
    {
        public DigestChallenge Challenge { get; set; } = challenge;

        public uint NonceCount { get; set; }
    }
}
