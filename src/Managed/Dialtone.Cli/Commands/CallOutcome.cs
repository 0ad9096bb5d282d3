using Dialtone.Phone;

namespace Dialtone.Cli.Commands;

/// <summary>The exit code of a call that ended before it was answered, by how it ended.</summary>
internal static class CallOutcome
{
    public static ExitCode Of(CallEnd end) => end switch
    {
        // Nobody picked up: the callee's phone or the proxy gave up, or the user is not online.
        { Reason: CallEndReason.Rejected, StatusCode: 408 or 480 or 487 } => ExitCode.NoAnswer,
        // Cancelled on our side before an answer, and not by the user (that is handled before): the
        // Phone layer's NoAnswerTimeout (--answer-timeout) ran out.
        { Reason: CallEndReason.LocalHangup } => ExitCode.NoAnswer,
        // Our credentials were refused for the INVITE itself (the Phone layer ends the call Failed with the 401/407).
        { Reason: CallEndReason.Failed, StatusCode: 401 or 407 } => ExitCode.RegistrationFailed,
        _ => ExitCode.CallFailed,
    };

    public static string Describe(CallEnd end) => end.StatusCode is { } code
        ? $"{code} {end.ReasonPhrase}" + (end.Detail is null ? "" : $" ({end.Detail})")
        : end.Detail ?? end.Reason.ToString();
}
