using Dialtone.Sip.Message;

namespace Dialtone.Phone;

public sealed partial class UserAgent
{
    /// <summary>
    /// Our Contact in calls: where the server (or a dispatcher in front of many user agents) reaches
    /// this user agent, e.g. <c>sip:bot@10.0.0.5:40123;transport=udp</c>. It changes when a
    /// registration confirms RFC 5626 outbound or the flow is recovered.
    /// </summary>
    public SipAddress Contact => _sessions.Contact;
}
