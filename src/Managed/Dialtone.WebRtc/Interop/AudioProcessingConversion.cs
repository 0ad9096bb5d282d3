using Dialtone.Bindings;

namespace Dialtone.WebRtc.Interop;

/// <summary><see cref="AudioProcessingOptions"/> as the shim's struct (factory and standalone processor alike).</summary>
internal static unsafe class AudioProcessingConversion
{
    public static DtAudioProcessingOptions ToNative(AudioProcessingOptions o)
    {
        if (!Enum.IsDefined(o.NoiseSuppressionLevel))
        {
            throw new ArgumentOutOfRangeException(nameof(o.NoiseSuppressionLevel), o.NoiseSuppressionLevel, "unknown level");
        }

        return new DtAudioProcessingOptions
        {
            StructSize = (uint)sizeof(DtAudioProcessingOptions),
            EchoCancellation = o.EchoCancellation ? (byte)1 : (byte)0,
            NoiseSuppression = o.NoiseSuppression ? (byte)1 : (byte)0,
            NoiseSuppressionLevel = (DtNoiseSuppressionLevel)o.NoiseSuppressionLevel,
            AutoGainControl = o.AutoGainControl ? (byte)1 : (byte)0,
            HighPassFilter = o.HighPassFilter ? (byte)1 : (byte)0,
        };
    }
}
