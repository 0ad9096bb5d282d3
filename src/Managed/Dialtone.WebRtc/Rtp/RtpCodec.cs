namespace Dialtone.WebRtc.Rtp;

/// <summary>
/// One RTP payload type as an SDP rtpmap/fmtp line describes it: <c>a=rtpmap:0 PCMU/8000</c> is
/// <c>new RtpCodec(0, "PCMU", 8000)</c>. The engine sends PCMU, PCMA, G722 (clock rate 8000, as SDP
/// writes it) and opus (48000, 2 channels); it also receives telephone-event.
/// </summary>
public sealed record RtpCodec(int PayloadType, string Name, int ClockRate, int Channels = 1, string? Fmtp = null)
{
    public static RtpCodec Pcmu { get; } = new(0, "PCMU", 8000);

    public static RtpCodec Pcma { get; } = new(8, "PCMA", 8000);

    public static RtpCodec G722 { get; } = new(9, "G722", 8000);

    public bool IsTelephoneEvent => string.Equals(Name, "telephone-event", StringComparison.OrdinalIgnoreCase);

    internal void Validate(string what)
    {
        if (PayloadType is < 0 or > 127)
        {
            throw new ArgumentOutOfRangeException(what, PayloadType, "RTP payload types are 0..127");
        }

        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("A codec needs a name.", what);
        }

        if (ClockRate <= 0 || Channels is < 1 or > 2)
        {
            throw new ArgumentException($"{Name}: clock rate must be positive and channels 1 or 2.", what);
        }
    }

    public override string ToString() => $"{PayloadType} {Name}/{ClockRate}" + (Channels > 1 ? $"/{Channels}" : string.Empty);
}
