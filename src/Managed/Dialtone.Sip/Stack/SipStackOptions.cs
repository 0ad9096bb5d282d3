using Dialtone.Sip.Message;
using Dialtone.Sip.Transactions;

namespace Dialtone.Sip.Stack;

/// <summary>Options for a <see cref="SipStack"/>; validated when created.</summary>
public sealed record SipStackOptions
{
    public static SipStackOptions Default { get; } = new();

    public SipTimerOptions Timers { get; init => field = value ?? throw new ArgumentNullException(nameof(Timers)); } = SipTimerOptions.Default;

    public SipParserLimits ParserLimits { get; init => field = value ?? throw new ArgumentNullException(nameof(ParserLimits)); } = SipParserLimits.Default;

    /// <summary>
    /// Option tags the layers above implement. Requests whose Require lists anything else are
    /// answered 420 Bad Extension with an Unsupported header (RFC 3261 §8.2.2.3). The default is
    /// none: plain RFC 3261. Null leaves Require to the transaction user (it must then do the check).
    /// </summary>
    public IReadOnlyCollection<string>? SupportedExtensions
    {
        get;
        init => field = value is null || value.All(v => Message.SipSyntax.IsToken(v))
            ? value
            : throw new ArgumentException("Option tags must be tokens.", nameof(SupportedExtensions));
    } = [];

    /// <summary>
    /// Body types (type/subtype) accepted in INVITE and UPDATE, the requests that carry a session
    /// description. Anything else, or a Content-Encoding other than identity, is answered
    /// 415 Unsupported Media Type with Accept (RFC 3261 §8.2.3). Null leaves bodies to the transaction user.
    /// </summary>
    public IReadOnlyCollection<string>? AcceptedSessionBodyTypes
    {
        get;
        init => field = value is null || value.All(IsMediaType)
            ? value
            : throw new ArgumentException("Body types must be type/subtype tokens.", nameof(AcceptedSessionBodyTypes));
    } = ["application/sdp"];

    private static bool IsMediaType(string v) =>
        v.Split('/') is [var type, var subtype] && Message.SipSyntax.IsToken(type) && Message.SipSyntax.IsToken(subtype);

    /// <summary>User-Agent/Server header value added to messages that lack one, or null for none.</summary>
    public string? UserAgent
    {
        get;
        init => field = value is null || !value.AsSpan().ContainsAny('\r', '\n')
            ? value
            : throw new ArgumentException("User-Agent cannot contain line breaks.", nameof(UserAgent));
    } = "Dialtone";
}
