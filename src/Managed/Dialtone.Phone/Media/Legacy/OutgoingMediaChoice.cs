using Dialtone.Sip.Sdp;
using Dialtone.Sip.Sessions;

namespace Dialtone.Phone.Media.Legacy;

/// <summary>
/// The user agent's media handler factory: the account's policy for every session, except an
/// outgoing call placed with an explicit <see cref="MediaProfile"/>
/// (<see cref="UserAgent.CallAsync(Dialtone.Sip.Message.UriReference, MediaProfile, CancellationToken)"/>).
/// </summary>
/// <remarks>The choice arrives as the request's <see cref="SessionMediaRequest.CallerData"/>.</remarks>
internal sealed class OutgoingMediaChoice(ISessionMediaHandlerFactory accountPolicy, MediaPolicy perCall) : ISessionMediaHandlerFactory
{
    /// <summary>The legacy options per-call choices use (the account's, or secure defaults).</summary>
    public LegacyMediaOptions LegacyOptions => perCall.Options;

    public ISessionMediaHandler Create(SessionMediaRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Direction == SessionDirection.Outgoing && request.CallerData is MediaProfile profile
            ? perCall.CreateOutgoing(request, profile)
            : accountPolicy.Create(request);
    }
}
