using Dialtone.Bindings;

namespace Dialtone.WebRtc.Tests.Bindings;

/// <summary>Every generated enum member has a public twin with the same value and the same name (case aside).</summary>
public sealed class EnumParityTests
{
    public static TheoryData<Type, Type> Pairs => new()
    {
        { typeof(DtSignalingState), typeof(SignalingState) },
        { typeof(DtIceGatheringState), typeof(IceGatheringState) },
        { typeof(DtIceConnectionState), typeof(IceConnectionState) },
        { typeof(DtPeerConnectionState), typeof(PeerConnectionState) },
        { typeof(DtSdpType), typeof(SdpType) },
        { typeof(DtTransceiverDirection), typeof(RtpTransceiverDirection) },
        { typeof(DtDataChannelState), typeof(DataChannelState) },
        { typeof(DtAudioDeviceKind), typeof(AudioDeviceKind) },
        { typeof(DtAudioDirection), typeof(AudioDeviceDirection) },
        { typeof(DtNoiseSuppressionLevel), typeof(NoiseSuppressionLevel) },
        { typeof(DtIceTransportPolicy), typeof(IceTransportPolicy) },
        { typeof(DtBundlePolicy), typeof(BundlePolicy) },
        { typeof(DtResultCode), typeof(WebRtcErrorCode) },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void PublicEnumMirrorsGeneratedEnum(Type generated, Type publicEnum)
    {
        var generatedMembers = Enum.GetNames(generated).ToDictionary(n => Normalize(n), n => Convert.ToInt64(Enum.Parse(generated, n), System.Globalization.CultureInfo.InvariantCulture));
        var publicMembers = Enum.GetNames(publicEnum).ToDictionary(n => Normalize(n), n => Convert.ToInt64(Enum.Parse(publicEnum, n), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(generatedMembers.OrderBy(p => p.Key), publicMembers.OrderBy(p => p.Key));
    }

    // Generated result codes carry the C "ERROR_" prefix; public names drop it.
    private static string Normalize(string name)
    {
        string n = name.ToLowerInvariant();
        return n.StartsWith("error", StringComparison.Ordinal) ? n[5..] : n;
    }
}
