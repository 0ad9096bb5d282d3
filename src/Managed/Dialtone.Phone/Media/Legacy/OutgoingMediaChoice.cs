using Dialtone.Sip.Sdp;
using Dialtone.Sip.Sessions;

namespace Dialtone.Phone.Media.Legacy;

/// <summary>
/// The user agent's media handler factory: the account's policy for every session, except an
/// outgoing call placed with an explicit <see cref="MediaProfile"/>
/// (<see cref="UserAgent.CallAsync(Dialtone.Sip.Message.UriReference, MediaProfile, CancellationToken)"/>).
/// </summary>
/// <remarks>
/// The session layer asks for the handler inside <see cref="SessionAgent.CreateInviter"/>, synchronously
/// on the caller's thread, and its request carries no per-call data; so the choice travels in a
/// thread-static slot that is set just around that call and always cleared. Sessions created on any
/// other thread (incoming calls, a REFER's new call) never see it.
/// </remarks>
internal sealed class OutgoingMediaChoice(ISessionMediaHandlerFactory accountPolicy, MediaPolicy perCall) : ISessionMediaHandlerFactory
{
    [ThreadStatic]
    private static MediaProfile? t_chosen;

    /// <summary>The legacy options per-call choices use (the account's, or secure defaults).</summary>
    public LegacyMediaOptions LegacyOptions => perCall.Options;

    public ISessionMediaHandler Create(SessionMediaRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Direction == SessionDirection.Outgoing && t_chosen is { } profile
            ? perCall.CreateOutgoing(request, profile)
            : accountPolicy.Create(request);
    }

    /// <summary>Runs <paramref name="create"/> (which must create the outgoing session synchronously) with <paramref name="profile"/> chosen.</summary>
    public static T With<T>(MediaProfile profile, Func<T> create)
    {
        t_chosen = profile;
        try
        {
            return create();
        }
        finally
        {
            t_chosen = null;
        }
    }
}
