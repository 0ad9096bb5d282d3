using Dialtone.Phone.Media.Legacy;
using Dialtone.Sip.Sdp;
using Dialtone.Sip.Message;

namespace Dialtone.Phone;

/// <summary>Outgoing calls with per-call options (media profile, late offer).</summary>
public sealed partial class UserAgent
{
    /// <summary>
    /// Calls <paramref name="target"/> as <paramref name="options"/> say: its media profile (see
    /// <see cref="CallAsync(UriReference, MediaProfile, CancellationToken)"/>) and, with
    /// <see cref="CallOptions.LateOffer"/>, an INVITE without SDP whose offer comes from the callee.
    /// Otherwise as <see cref="CallAsync(UriReference, CancellationToken)"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Plain RTP was chosen but unencrypted media is not allowed; nothing was sent.</exception>
    public Task<Call> CallAsync(UriReference target, CallOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (options.Media is { } media)
        {
            if (!Enum.IsDefined(media))
                throw new ArgumentOutOfRangeException(nameof(options), media, "CallOptions.Media is WebRtc, Sdes or Plain.");
            if (media == MediaProfile.Plain && !MediaChoice.LegacyOptions.AllowUnencryptedMedia)
                throw new InvalidOperationException(MediaPolicy.UnencryptedRefused);
        }
        return PlaceCallAsync(target, options.Media, cancellationToken, options.LateOffer);
    }

    /// <summary>Parses <paramref name="target"/> as a SIP URI and calls it with <paramref name="options"/>.</summary>
    public Task<Call> CallAsync(string target, CallOptions options, CancellationToken cancellationToken = default) =>
        CallAsync(UriReference.Parse(target), options, cancellationToken);
}
