namespace Dialtone.Cli;

/// <summary>
/// What the process exit status means, so scripts can branch on it. Listed in <c>dialtone --help</c>
/// and docs/cli.md; never renumber a value once released.
/// </summary>
internal enum ExitCode
{
    /// <summary>Done: registered, the call was answered, or the demo heard audio both ways.</summary>
    Ok = 0,
    /// <summary>The call was rejected (busy, declined, not found…) or failed after it was placed.</summary>
    CallFailed = 1,
    /// <summary>Bad command line or configuration file.</summary>
    Usage = 2,
    /// <summary>The server refused the registration or our credentials.</summary>
    RegistrationFailed = 3,
    /// <summary>The SIP server could not be reached (DNS, TCP, TLS or WebSocket failure).</summary>
    ServerUnreachable = 4,
    /// <summary>Demo only: audio (or the DTMF digits) did not arrive at both ends.</summary>
    NoAudio = 5,
    /// <summary>The callee did not answer in time (our timeout, 408 or 480).</summary>
    NoAnswer = 6,
    /// <summary>No sound server (or it refused us): the microphone and speaker cannot be used; <c>--no-audio</c> calls without them.</summary>
    NoSoundDevice = 7,
    /// <summary>Interrupted with Ctrl+C before the call was answered, or during the demo.</summary>
    Interrupted = 130,
}

/// <summary>A failure the command reports with a message and a specific exit code.</summary>
internal sealed class CliException(ExitCode code, string message, Exception? inner = null) : Exception(message, inner)
{
    public ExitCode Code { get; } = code;
}
