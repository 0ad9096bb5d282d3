namespace Dialtone.Sip.Tests.Infrastructure;

/// <summary>The shared real-world fixtures (docs: fixtures/README.md of the project brief), wire-exact.</summary>
internal static class Fixtures
{
    /// <summary>An INVITE from a FreeSWITCH-based carrier over SIP/TLS (plivo-invite.sip).</summary>
    public const string PlivoInvite =
        "INVITE sip:mysoftphone17@174.52.5.6:38331;transport=tls SIP/2.0\r\n" +
        "Record-Route: <sip:54.241.2.206:5061;transport=tls;r2=on;lr>\r\n" +
        "Record-Route: <sip:54.241.2.206;r2=on;lr>\r\n" +
        "Via: SIP/2.0/TLS 54.241.2.206:5061;branch=z9hG4bKb388.e9144db53b5fa4ba82b6bd52b4def4f4.0\r\n" +
        "Via: SIP/2.0/UDP 191.201.61.52:5080;received=191.201.61.52;rport=5080;branch=z9hG4bKpU0yXc4v5eXNr\r\n" +
        "Max-Forwards: 40\r\n" +
        "From: \"+15002309140\" <sip:+15002309140@phone.plivo.com>;tag=Hygr09ggKmpjm\r\n" +
        "To: <sip:mysoftphone17@phone.plivo.com>\r\n" +
        "Call-ID: 333b9ea8-3e5e-1233-4bb9-782bcb0446c4\r\n" +
        "CSeq: 72472445 INVITE\r\n" +
        "Contact: <sip:mod_sofia@191.201.61.52:5080>\r\n" +
        "User-Agent: Plivo\r\n" +
        "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, INFO, UPDATE, REFER, NOTIFY\r\n" +
        "Supported: timer, precondition, path, replaces\r\n" +
        "Allow-Events: talk, hold, conference, refer\r\n" +
        "Privacy: none\r\n" +
        "Content-Type: application/sdp\r\n" +
        "Content-Disposition: session\r\n" +
        "Content-Length: 260\r\n" +
        "X-FS-Support: update_display,send_info\r\n" +
        "P-Asserted-Identity: \"+15002309140\" <sip:+15002309140@phone.plivo.com>\r\n" +
        "P-hint: outbound\r\n" +
        "\r\n" +
        "v=0\r\n" +
        "o=FreeSWITCH 1425589313 1425589314 IN IP4 191.201.61.52\r\n" +
        "s=FreeSWITCH\r\n" +
        "c=IN IP4 191.201.61.52\r\n" +
        "t=0 0\r\n" +
        "m=audio 27706 RTP/AVP 0 8 9 98 3 101\r\n" +
        "a=rtpmap:98 SPEEX/8000\r\n" +
        "a=rtpmap:101 telephone-event/8000\r\n" +
        "a=fmtp:101 0-16\r\n" +
        "a=silenceSupp:off - - - -\r\n" +
        "a=ptime:20\r\n";

    /// <summary>Linphone's 488 answer to that INVITE (linphone-488-response.sip).</summary>
    public const string Linphone488 =
        "SIP/2.0 488 Not acceptable here\r\n" +
        "Via: SIP/2.0/TLS 54.241.2.206:5061;branch=z9hG4bKb388.e9144db53b5fa4ba82b6bd52b4def4f4.0\r\n" +
        "Via: SIP/2.0/UDP 191.201.61.52:5080;received=191.201.61.52;rport=5080;branch=z9hG4bKpU0yXc4v5eXNr\r\n" +
        "From: \"+15002309140\" <sip:+15002309140@phone.plivo.com>;tag=Hygr09ggKmpjm\r\n" +
        "To: <sip:mysoftphone17@phone.plivo.com>;tag=XC7r0HZ\r\n" +
        "Call-ID: 333b9ea8-3e5e-1233-4bb9-782bcb0446c4\r\n" +
        "CSeq: 72472445 INVITE\r\n" +
        "User-Agent: Linphone/3.7.0 (belle-sip/1.3.0)\r\n" +
        "Supported: replaces, outbound\r\n" +
        "Content-Length: 0\r\n" +
        "\r\n";

    public static byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
