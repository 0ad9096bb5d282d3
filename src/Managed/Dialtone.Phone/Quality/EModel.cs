namespace Dialtone.Phone.Quality;

/// <summary>
/// A listening-quality estimate from network figures, after the ITU-T G.107 E-model reduced to the
/// terms a softphone can measure: one-way delay (Id) and packet loss (Ie-eff). The default
/// impairment factors assume no echo and ideal levels, so the result is the network's share only.
/// </summary>
public static class EModel
{
    /// <summary>G.107 default R for narrowband with every default parameter.</summary>
    private const double DefaultR = 93.2;

    /// <summary>
    /// Equipment impairment (Ie) and packet-loss robustness (Bpl) of G.711 with packet-loss
    /// concealment, from ITU-T G.113 Appendix I. Opus and G.722 have no narrowband G.113 entry, so
    /// every codec is rated like concealed G.711 — a conservative stand-in for codecs that do better.
    /// </summary>
    private const double EquipmentImpairment = 0;
    private const double LossRobustness = 25.1;

    /// <summary>The transmission rating R (0..100).</summary>
    /// <param name="oneWayDelayMs">Mouth-to-ear delay: half the round-trip time plus jitter buffer and codec delay.</param>
    /// <param name="packetLossPercent">Random packet loss, 0..100.</param>
    public static double RatingFactor(double oneWayDelayMs, double packetLossPercent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(oneWayDelayMs);
        if (packetLossPercent is < 0 or > 100 || double.IsNaN(packetLossPercent))
            throw new ArgumentOutOfRangeException(nameof(packetLossPercent), packetLossPercent, "0 to 100.");
        var delayImpairment = 0.024 * oneWayDelayMs + (oneWayDelayMs > 177.3 ? 0.11 * (oneWayDelayMs - 177.3) : 0);
        var lossImpairment = EquipmentImpairment
            + (95 - EquipmentImpairment) * packetLossPercent / (packetLossPercent + LossRobustness);
        return Math.Clamp(DefaultR - delayImpairment - lossImpairment, 0, 100);
    }

    /// <summary>Mean opinion score (1..4.5) from R, by the G.107 Annex B mapping.</summary>
    public static double MeanOpinionScore(double rating)
    {
        if (rating <= 0)
            return 1;
        if (rating >= 100)
            return 4.5;
        return 1 + 0.035 * rating + rating * (rating - 60) * (100 - rating) * 7e-6;
    }

    /// <summary>MOS from round-trip time, jitter and loss as RTCP/stats report them.</summary>
    public static double EstimateMos(double roundTripMs, double jitterMs, double packetLossPercent)
    {
        // Mouth-to-ear: half the RTT, a jitter buffer of about twice the jitter, 20 ms packetisation + lookahead.
        var oneWay = roundTripMs / 2 + 2 * jitterMs + 25;
        return MeanOpinionScore(RatingFactor(oneWay, packetLossPercent));
    }
}
