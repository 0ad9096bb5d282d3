using Dialtone.Phone;

namespace Dialtone.Cli.Commands;

/// <summary>The exit code of a call that ended before it was answered, by how it ended.</summary>
internal static class CallOutcome
{
    public static ExitCode Of(CallEnd end) => end switch
    {
        // Nobody picked up: the callee's phone or the proxy gave up, or the user is not online.
        { Reason: CallEndReason.Rejected, StatusCode: 408 or 480 or 487 } => ExitCode.NoAnswer,
        _ => ExitCode.CallFailed,
    };

    public static string Describe(CallEnd end) => end.StatusCode is { } code
        ? $"{code} {end.ReasonPhrase}" + (end.Detail is null ? "" : $" ({end.Detail})")
        : end.Detail ?? end.Reason.ToString();
}
