using Dialtone.Sip.Auth;

namespace Dialtone.Sip.Tests.Auth;

/// <summary>The worked examples of the RFCs, which our computation must reproduce exactly.</summary>
public sealed class DigestVectorTests
{
    [Fact]
    public void Rfc2617Section3_5_Md5QopAuth() =>
        Assert.Equal("6629fae49393a05397450978507c4ef1", DigestCalculator.Response(
            DigestAlgorithm.Md5, "Mufasa", "testrealm@host.com", "Circle Of Life", "dcd98b7102dd2f0e8b11d0f600bfb0c093",
            "GET", "/dir/index.html", "auth", 1, "0a4f113b"));

    private const string Rfc7616Nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    private const string Rfc7616Cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

    [Fact]
    public void Rfc7616Section3_9_1_Md5() =>
        Assert.Equal("8ca523f5e9506fed4657c9700eebdbec", DigestCalculator.Response(
            DigestAlgorithm.Md5, "Mufasa", "http-auth@example.org", "Circle of Life", Rfc7616Nonce,
            "GET", "/dir/index.html", "auth", 1, Rfc7616Cnonce));

    [Fact]
    public void Rfc7616Section3_9_1_Sha256() =>
        Assert.Equal("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", DigestCalculator.Response(
            DigestAlgorithm.Sha256, "Mufasa", "http-auth@example.org", "Circle of Life", Rfc7616Nonce,
            "GET", "/dir/index.html", "auth", 1, Rfc7616Cnonce));

    [Fact]
    public void SessionVariants_HashTheNonceAndCnonceIntoHa1()
    {
        // RFC 7616 §3.4.2: HA1 = H(H(user:realm:pass):nonce:cnonce) — computed here step by step.
        static string Md5(string s) => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(s)));
        var ha1 = Md5(Md5("alice:sip.example.com:pw") + ":n1:c1");
        var ha2 = Md5("REGISTER:sip:sip.example.com");
        var expected = Md5($"{ha1}:n1:00000002:c1:auth:{ha2}");
        Assert.Equal(expected, DigestCalculator.Response(DigestAlgorithm.Md5Sess, "alice", "sip.example.com", "pw", "n1", "REGISTER", "sip:sip.example.com", "auth", 2, "c1"));
        Assert.NotEqual(expected, DigestCalculator.Response(DigestAlgorithm.Md5, "alice", "sip.example.com", "pw", "n1", "REGISTER", "sip:sip.example.com", "auth", 2, "c1"));
    }

    [Fact]
    public void AuthInt_HashesTheBody()
    {
        static string Sha(string s) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(s)));
        var ha1 = Sha("bob:r:pw");
        var ha2 = Sha("MESSAGE:sip:bob@r:" + Sha("hello"));
        Assert.Equal(Sha($"{ha1}:n:00000001:c:auth-int:{ha2}"),
            DigestCalculator.Response(DigestAlgorithm.Sha256, "bob", "r", "pw", "n", "MESSAGE", "sip:bob@r", "auth-int", 1, "c", "hello"u8));
    }

    [Fact]
    public void Rfc2069Form_WithoutQop()
    {
        static string Md5(string s) => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(s)));
        Assert.Equal(Md5(Md5("u:r:p") + ":n:" + Md5("INVITE:sip:x@y")),
            DigestCalculator.Response(DigestAlgorithm.Md5, "u", "r", "p", "n", "INVITE", "sip:x@y", null, 1, null));
    }

    [Fact]
    public void Sha512_256Sess_FollowsTheSameConstruction()
    {
        static string H(string s) => Convert.ToHexStringLower(Sha512Truncated.HashData256(System.Text.Encoding.UTF8.GetBytes(s)));
        var ha1 = H(H("bob:r:pw") + ":n:c");
        var ha2 = H("INVITE:sip:alice@a");
        Assert.Equal(H($"{ha1}:n:00000003:c:auth:{ha2}"),
            DigestCalculator.Response(DigestAlgorithm.Sha512_256Sess, "bob", "r", "pw", "n", "INVITE", "sip:alice@a", "auth", 3, "c"));
    }
}
