namespace Dialtone.Sip.Transport;

/// <summary>The transport protocols a SIP message can travel over, as named in a Via header.</summary>
public enum SipTransportKind
{
    Udp,
    Tcp,
    Tls,
    /// <summary>SIP over WebSocket (RFC 7118), Via token <c>WS</c>.</summary>
    Ws,
    /// <summary>SIP over secure WebSocket (RFC 7118), Via token <c>WSS</c>.</summary>
    Wss,
}

public static class SipTransportKindExtensions
{
    /// <summary>Reliable transports carry no retransmissions (RFC 3261 §17.1.1.2, §17.1.2.2).</summary>
    public static bool IsReliable(this SipTransportKind kind) => kind != SipTransportKind.Udp;

    /// <summary>Secure transports: a <c>sips:</c> URI may only be reached over these.</summary>
    public static bool IsSecure(this SipTransportKind kind) => kind is SipTransportKind.Tls or SipTransportKind.Wss;

    /// <summary>The token used in the Via header's sent-protocol (RFC 3261 §20.42, RFC 7118 §5.1).</summary>
    public static string ViaToken(this SipTransportKind kind) => kind switch
    {
        SipTransportKind.Udp => "UDP",
        SipTransportKind.Tcp => "TCP",
        SipTransportKind.Tls => "TLS",
        SipTransportKind.Ws => "WS",
        SipTransportKind.Wss => "WSS",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
