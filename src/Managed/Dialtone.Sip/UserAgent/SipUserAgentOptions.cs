using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.UserAgent;

/// <summary>Identity and routing for out-of-dialog requests (MESSAGE) and what OPTIONS advertises.</summary>
public sealed record SipUserAgentOptions
{
    /// <summary>Our address of record, used in From.</summary>
    public required SipUri AddressOfRecord { get; init; }

    public string? DisplayName { get; init; }

    /// <summary>Credentials for 401/407 on requests we send.</summary>
    public SipCredentials? Credentials { get; init; }

    /// <summary>Outbound proxy (loose route) for requests we originate.</summary>
    public SipUri? OutboundProxy { get; init; }

    /// <summary>Pin requests to this transport (e.g. the WebSocket flow).</summary>
    public ISipTransport? Transport { get; init; }

    /// <summary>Methods listed in Allow; requests for others (not handed to a next user) get 405.</summary>
    public IReadOnlyList<string> Allow { get; init; } = [SipMethods.Options, SipMethods.Message];

    /// <summary>Body types accepted in MESSAGE (Accept in OPTIONS; others get 415).</summary>
    public IReadOnlyList<string> Accept { get; init; } = ["text/plain"];

    /// <summary>Option tags listed in Supported.</summary>
    public IReadOnlyList<string> Supported { get; init; } = ["path", "outbound"];
}
