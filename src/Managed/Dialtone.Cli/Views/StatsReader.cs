using Dialtone.Phone;
using Dialtone.Phone.Quality;
using Dialtone.WebRtc;

namespace Dialtone.Cli.Views;

/// <summary>Reads the figures the view shows out of a call's libwebrtc stats report.</summary>
internal static class StatsReader
{
    public static PartyStatus Apply(PartyStatus status, Call call, RtcStatsReport report)
    {
        var inbound = report.InboundRtp.Where(s => s.Kind == "audio").ToList();
        var outbound = report.OutboundRtp.Where(s => s.Kind == "audio").ToList();
        var codec = inbound.Concat<RtcRtpStreamStats>(outbound).Select(report.CodecOf).FirstOrDefault(c => c is not null);

        long received = inbound.Sum(s => s.PacketsReceived ?? 0);
        long lost = inbound.Sum(s => Math.Max(0, s.PacketsLost ?? 0));
        double? loss = received + lost > 0 ? 100.0 * lost / (received + lost) : null;
        double? jitter = inbound.Select(s => s.Jitter).FirstOrDefault(j => j is not null) * 1000;
        // RTCP round trip when the peer's receiver reports have come; the ICE check's otherwise.
        double? rtt = report.RemoteInboundRtp.Select(s => s.RoundTripTime).FirstOrDefault(r => r is not null)
            ?? report.SelectedCandidatePair?.CurrentRoundTripTime;
        rtt *= 1000;

        // The microphone as sent (after processing) and the echo canceller's figures: W3C RTCAudioSourceStats.
        var source = report.OfType("media-source").FirstOrDefault(s => s.GetString("kind") == "audio");
        return status with
        {
            MicrophoneLevel = source?.GetDouble("audioLevel") ?? status.MicrophoneLevel,
            Erle = source?.GetDouble("echoReturnLossEnhancement") ?? status.Erle,
            State = PartyStatus.Describe(call.State),
            Codec = codec is null ? status.Codec : Describe(codec),
            RoundTripMs = rtt ?? status.RoundTripMs,
            JitterMs = jitter ?? status.JitterMs,
            LossPercent = loss ?? status.LossPercent,
            AudioLevel = inbound.Select(s => s.AudioLevel).FirstOrDefault(a => a is not null) ?? status.AudioLevel,
            Mos = rtt is { } r && jitter is { } j ? EModel.EstimateMos(r, j, loss ?? 0) : status.Mos,
            PacketsReceived = inbound.Count > 0 ? received : status.PacketsReceived,
            PacketsSent = outbound.Count > 0 ? outbound.Sum(s => s.PacketsSent ?? 0) : status.PacketsSent,
        };
    }

    /// <summary>The figures of a plain RTP / SDES call, from its RTP session's counters and RTCP.</summary>
    public static PartyStatus ApplyLegacy(PartyStatus status, Call call, Sip.Sdp.NegotiatedAudio? negotiated, WebRtc.Rtp.RtpSessionStatistics s)
    {
        long received = (long)s.RtpPacketsReceived;
        double? loss = received + s.PacketsLost > 0 ? 100.0 * Math.Max(0, s.PacketsLost) / (received + Math.Max(0, s.PacketsLost)) : null;
        double? jitter = received > 0 ? s.Jitter.TotalMilliseconds : null;
        double? rtt = s.RoundTripTime?.TotalMilliseconds;
        return status with
        {
            State = PartyStatus.Describe(call.State),
            Codec = negotiated?.SendCodec is { } codec ? $"{codec.Name} {codec.ClockRate / 1000.0:0.#} kHz" : status.Codec,
            MicrophoneLevel = s.SendAudioLevel,
            RoundTripMs = rtt ?? status.RoundTripMs,
            JitterMs = jitter ?? status.JitterMs,
            LossPercent = loss ?? status.LossPercent,
            AudioLevel = s.ReceiveAudioLevel ?? status.AudioLevel,
            Mos = rtt is { } r && jitter is { } j ? EModel.EstimateMos(r, j, loss ?? 0) : status.Mos,
            PacketsReceived = received,
            PacketsSent = (long)s.RtpPacketsSent,
        };
    }

    /// <summary>"opus 48 kHz", "PCMU 8 kHz".</summary>
    private static string Describe(RtcCodecStats codec)
    {
        var name = codec.MimeType is { } mime && mime.IndexOf('/') is var slash and >= 0 ? mime[(slash + 1)..] : codec.MimeType ?? "?";
        var rate = codec.ClockRate is { } hz ? $" {hz / 1000.0:0.#} kHz" : "";
        return name + rate;
    }
}
