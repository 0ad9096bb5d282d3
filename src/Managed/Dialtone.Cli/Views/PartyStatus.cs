using Dialtone.Phone;

namespace Dialtone.Cli.Views;

/// <summary>
/// What the call view shows for one party at one moment. Null means "not known yet" (no stats
/// report, no RTCP round trip yet) and is drawn as a dash.
/// </summary>
internal sealed record PartyStatus(string Name)
{
    public string State { get; init; } = "starting";

    public string? Codec { get; init; }

    public double? RoundTripMs { get; init; }

    public double? JitterMs { get; init; }

    public double? LossPercent { get; init; }

    /// <summary>Received audio level, 0..1 linear (as W3C audioLevel).</summary>
    public double? AudioLevel { get; init; }

    /// <summary>E-model estimate from round trip, jitter and loss.</summary>
    public double? Mos { get; init; }

    public long? PacketsReceived { get; init; }

    public long? PacketsSent { get; init; }

    /// <summary>Our microphone's level as sent (W3C media-source audioLevel), 0..1; null when not shown.</summary>
    public double? MicrophoneLevel { get; init; }

    /// <summary>Echo canceller on (null: not shown, as in the demo).</summary>
    public bool? EchoCanceller { get; init; }

    /// <summary>Echo return loss enhancement in dB from the stats (media-source), once AEC3 has measured it.</summary>
    public double? Erle { get; init; }

    /// <summary>What the peer hears from us is muted.</summary>
    public bool? Muted { get; init; }

    /// <summary>Sound-server volumes, 0..1 (null with a file or no device).</summary>
    public double? MicrophoneVolume { get; init; }

    public double? SpeakerVolume { get; init; }

    /// <summary>"microphone X, speaker Y", "playing hello.wav", "no audio".</summary>
    public string? Devices { get; init; }

    /// <summary>A device that stopped working mid-call ("microphone lost: …"); the call goes on.</summary>
    public string? DeviceProblem { get; init; }

    /// <summary>Demo: the peer's test tone heard (null when not listening for one).</summary>
    public bool? ToneHeard { get; init; }

    /// <summary>Demo: DTMF digits recognised in the received audio (null when not listening).</summary>
    public string? DigitsHeard { get; init; }

    public static string Describe(CallState state) => state switch
    {
        CallState.EarlyMedia => "early media",
        CallState.OnHold => "on hold",
        _ => state.ToString().ToLowerInvariant(),
    };
}
