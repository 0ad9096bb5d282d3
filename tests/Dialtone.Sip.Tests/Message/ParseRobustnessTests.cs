using Dialtone.Sip.Message;

namespace Dialtone.Sip.Tests.Message;

/// <summary>
/// Inputs that once escaped the parsers as exceptions other than SipParseException (issue 11):
/// Parse throws only SipParseException, TryParse returns false.
/// </summary>
public sealed class ParseRobustnessTests
{
    [Theory]
    [InlineData("sip")]
    [InlineData("sips")]
    [InlineData("SIP")]
    [InlineData("sip;")]
    [InlineData("")]
    public void SipUri_SchemeWithoutColon_IsAParseError(string text)
    {
        Assert.Throws<SipParseException>(() => SipUri.Parse(text));
        Assert.False(SipUri.TryParse(text, out var uri));
        Assert.Null(uri);
    }

    [Theory]
    [InlineData("sip")]
    [InlineData("sip;x")]
    public void UriReference_And_Address_SchemeWithoutColon_IsAParseError(string text)
    {
        Assert.Throws<SipParseException>(() => UriReference.Parse(text));
        Assert.Throws<SipParseException>(() => SipAddress.Parse("<" + text + ">"));
    }
}
