using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;

namespace Dialtone.Sip.Tests.Auth;

public sealed class DigestClientTests
{
    private static SipResponse Challenge(int status, params string[] challenges)
    {
        var response = new SipResponse(status);
        foreach (var c in challenges)
            response.Headers.Add(status == 407 ? SipHeaderNames.ProxyAuthenticate : SipHeaderNames.WwwAuthenticate, c);
        return response;
    }

    private static SipRequest Register() => SipRequestFactory.Create(
        SipMethods.Register, SipUri.Parse("sip:example.com"), new SipAddress(SipUri.Parse("sip:alice@example.com")), new SipAddress(SipUri.Parse("sip:alice@example.com")));

    [Fact]
    public void ChallengeParsing_QuotedCommasAndQopList()
    {
        var c = DigestChallenge.Parse("Digest realm=\"a, b\", nonce=\"n\\\"1\", opaque=\"o\", algorithm=SHA-256-sess, qop=\"auth,auth-int\", stale=TRUE");
        Assert.Equal("a, b", c.Realm);
        Assert.Equal("n\"1", c.Nonce);
        Assert.Equal(DigestAlgorithm.Sha256Sess, c.Algorithm);
        Assert.Equal(["auth", "auth-int"], c.Qop);
        Assert.True(c.Stale);
    }

    [Theory]
    [InlineData("Basic realm=\"x\"")]
    [InlineData("Digest nonce=\"n\"")]
    [InlineData("Digest realm=\"r\", nonce=")]
    [InlineData("Digest realm=\"r\" nonce=\"n\"")]
    public void MalformedChallenges_AreParseErrors(string value) => Assert.Throws<SipParseException>(() => DigestChallenge.Parse(value));

    [Fact]
    public void StrongestAlgorithmIsChosen_UnsupportedIgnored()
    {
        var client = new SipDigestClient(new SipCredentials("alice", "pw"));
        var response = Challenge(401,
            "Digest realm=\"example.com\", nonce=\"1\", algorithm=MD5, qop=\"auth\"",
            "Digest realm=\"example.com\", nonce=\"2\", algorithm=SHA-512, qop=\"auth\"",
            "Digest realm=\"example.com\", nonce=\"3\", algorithm=SHA-256, qop=\"auth\"");
        var chosen = Assert.Single(client.SelectChallenges(response));
        Assert.Equal(DigestAlgorithm.Sha256, chosen.Algorithm);
        Assert.Equal("3", chosen.Nonce);

        var withSha512 = Challenge(401,
            "Digest realm=\"example.com\", nonce=\"3\", algorithm=SHA-256, qop=\"auth\"",
            "Digest realm=\"example.com\", nonce=\"4\", algorithm=SHA-512-256, qop=\"auth\"");
        Assert.Equal(DigestAlgorithm.Sha512_256, Assert.Single(client.SelectChallenges(withSha512)).Algorithm);
    }

    [Fact]
    public void NothingUsable_IsAnAuthenticationError()
    {
        var client = new SipDigestClient(new SipCredentials("alice", "pw", realm: "other"));
        var e = Assert.Throws<SipAuthenticationException>(() => client.SelectChallenges(Challenge(401, "Digest realm=\"example.com\", nonce=\"1\"")));
        Assert.Equal(401, e.StatusCode);
        Assert.Throws<SipAuthenticationException>(() => client.SelectChallenges(Challenge(407, "Digest realm=\"r\", nonce=\"1\", algorithm=SHA3-256")));
    }

    [Fact]
    public void Authorization_HeaderCarriesEveryField_AndNonceCountIncrements()
    {
        var client = new SipDigestClient(new SipCredentials("alice", "s3cret"), cnonceFactory: () => "abcdef");
        var challenge = DigestChallenge.Parse("Digest realm=\"example.com\", nonce=\"xyz\", opaque=\"op\", qop=\"auth\", algorithm=MD5");
        var request = Register();
        client.Authorize(request, challenge);
        var header = request.Headers[SipHeaderNames.Authorization]!;
        var expected = DigestCalculator.Response(DigestAlgorithm.Md5, "alice", "example.com", "s3cret", "xyz", "REGISTER", "sip:example.com", "auth", 1, "abcdef");
        Assert.Equal($"Digest username=\"alice\", realm=\"example.com\", nonce=\"xyz\", uri=\"sip:example.com\", response=\"{expected}\", algorithm=MD5, cnonce=\"abcdef\", opaque=\"op\", qop=auth, nc=00000001", header);
        Assert.DoesNotContain("s3cret", header);

        var refresh = Register();
        Assert.True(client.AuthorizePreemptively(refresh));
        Assert.Contains("nc=00000002", refresh.Headers[SipHeaderNames.Authorization]);
    }

    [Fact]
    public void ProxyChallenge_IsAnsweredWithProxyAuthorization_AuthIntWhenOnlyOption()
    {
        var client = new SipDigestClient(new SipCredentials("alice", "pw"), cnonceFactory: () => "c");
        var request = Register();
        request.SetBody("body"u8.ToArray(), new SipContentType("text", "plain"));
        client.Authorize(request, DigestChallenge.Parse("Digest realm=\"p\", nonce=\"n\", qop=\"auth-int\"", isProxy: true));
        var header = request.Headers[SipHeaderNames.ProxyAuthorization]!;
        Assert.Contains("qop=auth-int", header);
        Assert.Null(request.Headers[SipHeaderNames.Authorization]);
        Assert.Contains(DigestCalculator.Response(DigestAlgorithm.Md5, "alice", "p", "pw", "n", "REGISTER", "sip:example.com", "auth-int", 1, "c", "body"u8), header);
    }

    [Fact]
    public void UserHash_SendsTheHashedUsername_AndTheSameResponse()
    {
        var client = new SipDigestClient(new SipCredentials("alice", "pw"), cnonceFactory: () => "c");
        var request = Register();
        client.Authorize(request, DigestChallenge.Parse("Digest realm=\"r\", nonce=\"n\", qop=\"auth\", algorithm=SHA-256, userhash=true"));
        var header = request.Headers[SipHeaderNames.Authorization]!;
        var hashed = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("alice:r"u8));
        Assert.Contains($"username=\"{hashed}\"", header);
        Assert.Contains("userhash=true", header);
        Assert.DoesNotContain("\"alice\"", header);
        Assert.Contains(DigestCalculator.Response(DigestAlgorithm.Sha256, "alice", "r", "pw", "n", "REGISTER", "sip:example.com", "auth", 1, "c"), header);
    }

    [Fact]
    public void Credentials_NeverShowThePassword()
    {
        var credentials = new SipCredentials("alice", "hunter2");
        Assert.DoesNotContain("hunter2", credentials.ToString());
        Assert.DoesNotContain(typeof(SipCredentials).GetProperties(), p => p.GetMethod!.IsPublic && p.Name == "Password");
    }
}

public sealed class ChallengeFuzzTests
{
    [Fact]
    public void MutatedChallenges_OnlyEverThrowSipParseException()
    {
        const string source = "Digest realm=\"a, b\", nonce=\"n\\\"1\", opaque=\"o\", algorithm=SHA-256-sess, qop=\"auth,auth-int\", stale=TRUE, userhash=true";
        var random = new Random(5);
        var noise = "\",=\\ ;\t<>";
        var parsed = 0;
        for (var i = 0; i < 5000; i++)
        {
            var chars = source.ToCharArray().ToList();
            for (var e = random.Next(1, 4); e > 0 && chars.Count > 0; e--)
            {
                var at = random.Next(chars.Count);
                if (random.Next(2) == 0)
                    chars[at] = noise[random.Next(noise.Length)];
                else
                    chars.RemoveAt(at);
            }
            try
            {
                var c = DigestChallenge.Parse(new string([.. chars]));
                _ = c.Algorithm;
                parsed++;
            }
            catch (SipParseException)
            {
            }
        }
        Assert.InRange(parsed, 1, 5000);
    }
}
