using System.Net;
using System.Net.Sockets;
using Dialtone.Sip.Sdp;
using Dialtone.Sip.Sessions;
using Dialtone.WebRtc;
using Microsoft.Extensions.Logging;

namespace Dialtone.Phone.Media.Legacy;

/// <summary>
/// Chooses each call's media path, secure by default:
/// an incoming UDP/TLS/RTP/SAVPF offer (WebRTC) takes the WebRTC handler; RTP/SAVP (SDES) the
/// legacy handler; plain RTP/AVP the legacy handler only when the account allows unencrypted
/// media, otherwise 488 with a Warning naming the option. Outgoing calls follow
/// <see cref="LegacyMediaOptions.OutgoingProfile"/>.
/// </summary>
public sealed class MediaPolicy(PeerConnectionFactory factory, ISessionMediaHandlerFactory webRtc, LegacyMediaOptions options, TimeProvider? timeProvider = null)
    : ISessionMediaHandlerFactory
{
    /// <summary>Where each legacy call reports dropped packets (rate-limited); null: not logged.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>
    /// The local address the SIP flow leaves from now (the user agent's route to its server), asked at
    /// each offer and answer of a legacy call. When the options name no <see cref="LegacyMediaOptions.AdvertisedAddress"/>
    /// and bind every address, the SDP's c= line carries this one: the peer reached us there already, whereas
    /// the host's first network interface may be one it cannot reach; and after a network change the
    /// re-INVITE that follows tells the peer our new address. Null: the options' own default.
    /// </summary>
    public Func<IPAddress?>? FlowAddress { get; init; }

    public ISessionMediaHandler Create(SessionMediaRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        MediaProfile profile = request.Direction == SessionDirection.Outgoing || request.RemoteOffer is null
            ? options.OutgoingProfile
            : Classify(request.RemoteOffer);
        if (profile == MediaProfile.Plain && !options.AllowUnencryptedMedia)
        {
            throw new SessionMediaException(request.Direction == SessionDirection.Incoming
                ? $"unencrypted RTP/AVP media refused; set {LegacyMediaOptions.AllowUnencryptedOptionName} to accept it"
                : $"the account's OutgoingProfile is Plain but {LegacyMediaOptions.AllowUnencryptedOptionName} is off");
        }

        return profile == MediaProfile.WebRtc
            ? webRtc.Create(request)
            : new LegacyMediaHandler(factory, options, profile, timeProvider, Logger, FlowAdvertisedAddress);
    }

    /// <summary>The legacy options this policy applies.</summary>
    public LegacyMediaOptions Options => options;

    /// <summary>
    /// An outgoing call's handler for an explicitly chosen <paramref name="profile"/> (overriding
    /// <see cref="LegacyMediaOptions.OutgoingProfile"/>); plain RTP still needs
    /// <see cref="LegacyMediaOptions.AllowUnencryptedMedia"/>.
    /// </summary>
    /// <exception cref="SessionMediaException">Plain RTP was chosen but unencrypted media is not allowed.</exception>
    public ISessionMediaHandler CreateOutgoing(SessionMediaRequest request, MediaProfile profile)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (profile == MediaProfile.Plain && !options.AllowUnencryptedMedia)
        {
            throw new SessionMediaException(UnencryptedRefused);
        }

        return profile == MediaProfile.WebRtc
            ? webRtc.Create(request)
            : new LegacyMediaHandler(factory, options, profile, timeProvider, Logger, FlowAdvertisedAddress);
    }

    /// <summary>The flow's address now, where the options leave the address to advertise to us (see <see cref="FlowAddress"/>); else null.</summary>
    private IPAddress? FlowAdvertisedAddress()
    {
        var bindsEverything = options.LocalAddress.Equals(IPAddress.Any);
        if (options.AdvertisedAddress is not null || !bindsEverything || FlowAddress?.Invoke() is not { } flow)
            return null;
        // The RTP sockets are IPv4 when they bind every address: an IPv6 flow cannot be advertised for them.
        return flow.AddressFamily == AddressFamily.InterNetwork && !flow.Equals(IPAddress.Any) ? flow : null;
    }

    /// <summary>Why an outgoing plain-RTP call is refused: names the option that would allow it.</summary>
    internal static string UnencryptedRefused =>
        $"plain RTP/AVP (unencrypted media) was chosen but {LegacyMediaOptions.AllowUnencryptedOptionName} is off; set it to place unencrypted calls";

    /// <summary>The path an incoming offer takes; throws <see cref="SessionMediaException"/> (488) for an unusable one.</summary>
    public static MediaProfile Classify(string offer)
    {
        SdpMessage sdp;
        try
        {
            sdp = SdpMessage.Parse(offer);
        }
        catch (SdpParseException e)
        {
            throw new SessionMediaException($"malformed SDP offer: {e.Message}", 305, e);
        }

        return LegacyAudio.Classify(sdp) ?? throw new SessionMediaException(
            "no audio stream Dialtone can take (supported: UDP/TLS/RTP/SAVPF, RTP/SAVP with SDES, RTP/AVP)");
    }
}
