using Dialtone.Sip.Message;

namespace Dialtone.Server;

/// <summary>One contact registered for an address of record, and the flow it registered over.</summary>
public sealed record RegistrationBinding(string AddressOfRecord, SipAddress Contact, string FlowId, DateTimeOffset ExpiresAt)
{
    /// <summary>The host of the contact URI: for WebSocket clients a random <c>.invalid</c> name unique to the client.</summary>
    public string? ContactHost => Contact.SipUri?.Host;
}
