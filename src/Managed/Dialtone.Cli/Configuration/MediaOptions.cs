using System.CommandLine;
using Dialtone.Phone;
using Dialtone.Phone.Media.Legacy;
using Dialtone.Sip.Sdp;

namespace Dialtone.Cli.Configuration;

/// <summary>
/// <c>--media webrtc|sdes|rtp</c> and <c>--allow-unencrypted</c>: which media an outgoing call
/// offers (WebRTC for browsers and WebRTC servers; SDES-SRTP or plain RTP for carrier trunks, PBXs
/// and desk phones), and whether unencrypted RTP may be used at all. Secure by default: plain RTP
/// needs both options, and every unencrypted call is announced loudly on standard error.
/// </summary>
internal sealed class MediaOptions
{
    private const string CallDescription = "The call's media: webrtc (ICE + DTLS-SRTP, the default), sdes (RTP/SAVP with SDES-SRTP keys, for carrier trunks and PBXs) "
        + "or rtp (plain RTP/AVP, unencrypted: needs --allow-unencrypted).";

    /// <summary>
    /// For <c>listen</c> the option says which incoming offers are taken (each by the media path its
    /// offer names): every level takes the ones above it, so a listener on a trunk still takes browsers.
    /// </summary>
    private const string ListenDescription = "Which incoming calls are taken: webrtc (WebRTC offers only, the default), "
        + "sdes (also RTP/SAVP offers with SDES-SRTP keys, from carrier trunks and PBXs) "
        + "or rtp (also plain RTP/AVP offers, unencrypted: needs --allow-unencrypted). Other offers are answered 488 Not Acceptable Here.";

    public MediaOptions(bool forListen = false)
    {
        Media = new("--media") { Description = forListen ? ListenDescription : CallDescription, HelpName = "webrtc|sdes|rtp" };
    }

    public Option<string> Media { get; }

    public Option<bool> AllowUnencrypted { get; } = new("--allow-unencrypted")
    {
        Description = "Allow unencrypted RTP/AVP media (plain RTP: anyone on the path can listen). Off by default; each such call is announced on standard error.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Media);
        command.Options.Add(AllowUnencrypted);
    }

    /// <summary>The chosen profile; a usage error for an unknown name or plain RTP without <c>--allow-unencrypted</c>.</summary>
    public MediaChoice Read(ParseResult parse)
    {
        bool allow = parse.GetValue(AllowUnencrypted);
        var profile = parse.GetValue(Media)?.Trim().ToLowerInvariant() switch
        {
            null or "webrtc" => MediaProfile.WebRtc,
            "sdes" or "srtp" => MediaProfile.Sdes,
            "rtp" or "plain" => MediaProfile.Plain,
            var other => throw new CliException(ExitCode.Usage, $"--media '{Text.Escape(other)}': say webrtc, sdes or rtp."),
        };
        if (profile == MediaProfile.Plain && !allow)
        {
            throw new CliException(ExitCode.Usage,
                "--media rtp sends and receives UNENCRYPTED audio; add --allow-unencrypted to accept that (or use --media sdes, which carriers call \"secure\" trunks).");
        }

        return new MediaChoice(profile, allow);
    }
}

/// <summary>What <see cref="MediaOptions"/> read.</summary>
internal sealed record MediaChoice(MediaProfile Profile, bool AllowUnencrypted)
{
    /// <summary>SDES or plain RTP calls are made or taken (the user agent gets legacy media).</summary>
    public bool UsesLegacyMedia => Profile != MediaProfile.WebRtc || AllowUnencrypted;

    /// <summary>
    /// The user agent's legacy media: on for sdes/rtp calls (and to accept plain RTP), null otherwise
    /// (WebRTC only, as before). Our SDP names the address the SIP flow to the server leaves from
    /// (the user agent's default), so a PBX on this host or a LAN gets an address it can reach.
    /// </summary>
    public LegacyMediaOptions? LegacyMedia =>
        UsesLegacyMedia ? new LegacyMediaOptions { AllowUnencryptedMedia = AllowUnencrypted } : null;

    /// <summary>"WebRTC (DTLS-SRTP)", "SDES-SRTP", "plain RTP (UNENCRYPTED)".</summary>
    public static string Describe(Call call) => call.LegacyMedia?.Profile switch
    {
        null => "WebRTC (DTLS-SRTP)",
        MediaProfile.Sdes => "SDES-SRTP (RTP/SAVP)",
        _ => "plain RTP/AVP (UNENCRYPTED)",
    };

    /// <summary>The loud warning for a call whose media is not encrypted: on standard error, every time, whatever the view.</summary>
    public static void WarnIfUnencrypted(CliHost host, Call call)
    {
        if (!call.IsMediaEncrypted)
        {
            host.Error.WriteLine($"WARNING: the media of call {call.CallId} with {call.RemoteIdentity} is NOT ENCRYPTED (plain RTP/AVP): anyone on the network path can listen to it and inject audio.");
        }
    }
}
