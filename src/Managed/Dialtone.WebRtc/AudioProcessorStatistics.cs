namespace Dialtone.WebRtc;

/// <summary>
/// What libwebrtc's audio processing module reports about echo (AEC3) and its residual echo
/// detector. A value is null until the module has one (echo metrics need echo cancellation on and
/// some far-end audio). A struct: reading it allocates nothing.
/// </summary>
public readonly record struct AudioProcessorStatistics
{
    /// <summary>ERL in dB: 10·log10(far-end power / echo power), as AEC3 estimates it.</summary>
    public double? EchoReturnLoss { get; init; }

    /// <summary>ERLE in dB: 10·log10(echo power / residual echo power), as AEC3 estimates it.</summary>
    public double? EchoReturnLossEnhancement { get; init; }

    /// <summary>Fraction (0..1) of the last second during which AEC3's linear filter diverged.</summary>
    public double? DivergentFilterFraction { get; init; }

    /// <summary>Median of the echo delay estimates over about one second, in ms.</summary>
    public int? DelayMedianMs { get; init; }

    /// <summary>Standard deviation of the echo delay estimates over about one second, in ms.</summary>
    public int? DelayStandardDeviationMs { get; init; }

    /// <summary>Likelihood (0..1) that the output still contains echo.</summary>
    public double? ResidualEchoLikelihood { get; init; }

    /// <summary>The largest <see cref="ResidualEchoLikelihood"/> of the recent period.</summary>
    public double? ResidualEchoLikelihoodRecentMax { get; init; }

    /// <summary>AEC3's current estimate of the render-to-capture delay, in ms.</summary>
    public int? DelayMs { get; init; }
}
