using Dialtone.Phone.Media;
using Dialtone.Phone.Media.Legacy;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sdp;
using Dialtone.Sip.Sessions;
using Dialtone.WebRtc;
using Microsoft.Extensions.Logging;

namespace Dialtone.Phone;

/// <summary>Per-call media choice for outgoing calls: WebRTC, SDES-SRTP or plain RTP (carriers, PBXs, desk phones).</summary>
public sealed partial class UserAgent
{
    /// <summary>
    /// Calls <paramref name="target"/> with the media <paramref name="media"/> names, whatever the
    /// account's <see cref="LegacyMediaOptions.OutgoingProfile"/>: <see cref="MediaProfile.WebRtc"/>
    /// (ICE + DTLS-SRTP), <see cref="MediaProfile.Sdes"/> (RTP/SAVP with SDES keys, no ICE) or
    /// <see cref="MediaProfile.Plain"/> (RTP/AVP, unencrypted — only when
    /// <see cref="UserAgentOptions.LegacyMedia"/> has <see cref="LegacyMediaOptions.AllowUnencryptedMedia"/>).
    /// SDES and plain calls use <see cref="UserAgentOptions.LegacyMedia"/> (secure defaults when it is null).
    /// Otherwise as <see cref="CallAsync(UriReference, CancellationToken)"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Plain RTP was chosen but unencrypted media is not allowed; nothing was sent.</exception>
    public Task<Call> CallAsync(UriReference target, MediaProfile media, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (!Enum.IsDefined(media))
        {
            throw new ArgumentOutOfRangeException(nameof(media), media, "WebRtc, Sdes or Plain.");
        }

        if (media == MediaProfile.Plain && !MediaChoice.LegacyOptions.AllowUnencryptedMedia)
        {
            throw new InvalidOperationException(MediaPolicy.UnencryptedRefused);
        }

        return PlaceCallAsync(target, media, cancellationToken);
    }

    /// <summary>Parses <paramref name="target"/> as a SIP URI and calls it with the chosen media.</summary>
    public Task<Call> CallAsync(string target, MediaProfile media, CancellationToken cancellationToken = default) =>
        CallAsync(UriReference.Parse(target), media, cancellationToken);

    private OutgoingMediaChoice MediaChoice => (OutgoingMediaChoice)_sessions.Options.Media;

    /// <summary>The session layer's media factory: the account's policy, plus per-call choices of outgoing media.</summary>
    private static OutgoingMediaChoice CreateMediaChoice(UserAgentOptions options, PeerConnectionFactory mediaFactory, SipConnection connection)
    {
        var webRtc = new WebRtcMediaHandlerFactory(mediaFactory, options.Media, options.TimeProvider);
        var logger = options.LoggerFactory.CreateLogger<LegacyMediaHandler>();
        ISessionMediaHandlerFactory account = options.LegacyMedia is { } legacy
            ? new MediaPolicy(mediaFactory, webRtc, legacy, options.TimeProvider) { Logger = logger, FlowAddress = connection.CurrentLocalAddress }
            : webRtc;
        var perCall = new MediaPolicy(mediaFactory, webRtc, options.LegacyMedia ?? new LegacyMediaOptions(), options.TimeProvider)
        {
            Logger = logger,
            FlowAddress = connection.CurrentLocalAddress,
        };
        return new OutgoingMediaChoice(account, perCall);
    }
}
