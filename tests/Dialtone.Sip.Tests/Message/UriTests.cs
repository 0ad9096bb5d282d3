using Dialtone.Sip.Message;

namespace Dialtone.Sip.Tests.Message;

public sealed class UriTests
{
    [Fact]
    public void SipUri_AllParts()
    {
        var uri = SipUri.Parse("sips:alice:secr%65t@atlanta.com:5061;transport=tcp;lr;maddr=239.255.255.1?subject=project%20x&priority=urgent");
        Assert.True(uri.IsSecure);
        Assert.Equal("alice", uri.User);
        Assert.Equal("secret", uri.Password);
        Assert.Equal("atlanta.com", uri.Host);
        Assert.Equal(5061, uri.Port);
        Assert.Equal("tcp", uri.Transport);
        Assert.True(uri.IsLooseRouter);
        Assert.Equal("239.255.255.1", uri.MaddrParameter);
        Assert.Equal("project%20x", uri.Headers.Get("subject"));
        Assert.Equal("urgent", uri.Headers.Get("priority"));
    }

    [Fact]
    public void SipUri_EscapedUser_IsUnescaped_AndReEscaped()
    {
        var uri = SipUri.Parse("sip:%61lice%20b@example.com");
        Assert.Equal("alice b", uri.User);
        Assert.Equal("sip:alice%20b@example.com", uri.ToString());
    }

    [Fact]
    public void SipUri_UserWithSemicolon_TelephoneSubscriber()
    {
        var uri = SipUri.Parse("sip:+1-212-555-1212;npdi@gateway.com;user=phone");
        Assert.Equal("+1-212-555-1212;npdi", uri.User);
        Assert.Equal("phone", uri.Parameters.Get("user"));
    }

    [Theory]
    [InlineData("sip:[::1]:5060", "[::1]", 5060)]
    [InlineData("sip:alice@[2001:db8::10]", "[2001:db8::10]", null)]
    [InlineData("sip:192.0.2.4", "192.0.2.4", null)]
    public void SipUri_Hosts(string text, string host, int? port)
    {
        var uri = SipUri.Parse(text);
        Assert.Equal(host, uri.Host);
        Assert.Equal(port, uri.Port);
        Assert.Equal(text, uri.ToString());
    }

    [Fact]
    public void SipUri_Comparison_FollowsRfc3261()
    {
        Assert.Equal(SipUri.Parse("sip:alice@AtLanTa.CoM;Transport=udp"), SipUri.Parse("sip:alice@atlanta.com;transport=UDP"));
        Assert.NotEqual(SipUri.Parse("sip:ALICE@atlanta.com"), SipUri.Parse("sip:alice@atlanta.com"));
        Assert.NotEqual(SipUri.Parse("sip:bob@biloxi.com"), SipUri.Parse("sip:bob@biloxi.com:5060"));
        Assert.NotEqual(SipUri.Parse("sip:bob@biloxi.com;transport=tcp"), SipUri.Parse("sip:bob@biloxi.com"));
        Assert.Equal(SipUri.Parse("sip:carol@chicago.com;newparam=5"), SipUri.Parse("sip:carol@chicago.com;security=on"));
    }

    [Fact]
    public void SipUri_BuiltInCode()
    {
        var uri = new SipUri("example.com", 5080, "bob") { Parameters = SipParameters.Empty.With("transport", "tcp") }.WithParameter("lr");
        Assert.Equal("sip:bob@example.com:5080;transport=tcp;lr", uri.ToString());
    }

    [Fact]
    public void TelUri_GlobalAndLocal()
    {
        var global = Assert.IsType<TelUri>(UriReference.Parse("tel:+1-201-555-0123;ext=22"));
        Assert.True(global.IsGlobal);
        Assert.Equal("+12015550123", global.Digits);
        Assert.Equal("22", global.Parameters.Get("ext"));
        var local = Assert.IsType<TelUri>(UriReference.Parse("tel:7042;phone-context=example.com"));
        Assert.Equal("example.com", local.PhoneContext);
        Assert.Throws<SipParseException>(() => UriReference.Parse("tel:7042"));
    }

    [Fact]
    public void OtherSchemes_AreKeptAsText()
    {
        var uri = Assert.IsType<OtherUri>(UriReference.Parse("urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"));
        Assert.Equal("urn", uri.Scheme);
    }

    [Theory]
    [InlineData("sip:")]
    [InlineData("sip:@host")]
    [InlineData("sip:alice@")]
    [InlineData("sip:a@h:port")]
    [InlineData("sip:a@[::1")]
    [InlineData("sip:a@h;x?y")]
    [InlineData("sip:a@h%")]
    [InlineData("sip:%4@h")]
    [InlineData("foo")]
    [InlineData("1ab:x")]
    public void Malformed_ThrowsParseException(string text) => Assert.Throws<SipParseException>(() => UriReference.Parse(text));
}
