namespace Dialtone.Sip.Message;

/// <summary>
/// Hard limits the parser enforces so a hostile or broken peer cannot make it use unbounded
/// memory. Values are validated when the record is created.
/// </summary>
public sealed record SipParserLimits
{
    /// <summary>Defaults: 64 KiB messages, 256 header lines, 8 KiB per header (with its folded lines).</summary>
    public static SipParserLimits Default { get; } = new();

    public int MaxMessageBytes { get; init => field = Positive(value); } = 65_536;

    public int MaxHeaderCount { get; init => field = Positive(value); } = 256;

    /// <summary>Longest header (name, value and any folded continuation lines) or start line, in bytes.</summary>
    public int MaxHeaderLineBytes { get; init => field = Positive(value); } = 8_192;

    private static int Positive(int value) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Limits must be positive.");
}
