using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using Dialtone.Sip.UserAgent;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Transactions;
using Dialtone.Sip.Transport;

namespace Dialtone.Cli;

/// <summary>The one place that turns a failure into a message and an <see cref="ExitCode"/>.</summary>
internal static class ErrorReport
{
    public static ExitCode Classify(Exception e) => e switch
    {
        CliException cli => cli.Code,
        SipAuthenticationException or SipRequestFailedException => ExitCode.RegistrationFailed,
        SipTransportException or SocketException or WebSocketException or AuthenticationException or SipTransactionTimeoutException
            or HttpRequestException or TimeoutException => ExitCode.ServerUnreachable,
        OperationCanceledException => ExitCode.Interrupted,
        ArgumentException or FormatException or FileNotFoundException => ExitCode.Usage,
        _ => ExitCode.CallFailed,
    };

    public static string Describe(Exception e) => e switch
    {
        CliException => e.Message,
        SipAuthenticationException => $"Authentication failed: {e.Message}. Check --auth-user and the password variable.",
        SipRequestFailedException r => $"The server refused: {r.StatusCode} {r.Response.ReasonPhrase}.",
        SipTransactionTimeoutException => $"The server did not answer: {e.Message}",
        OperationCanceledException => "Interrupted.",
        _ when e.InnerException is { } inner && inner.Message != e.Message => $"{e.Message} ({inner.Message})",
        _ => e.Message,
    };

    /// <summary>Prints the failure and returns its exit code.</summary>
    public static int Report(CliHost host, Exception e)
    {
        var code = Classify(e);
        WriteError(host, Describe(e));
        return (int)code;
    }

    /// <summary>
    /// One line on standard error, control characters escaped. Plain text, not the Spectre console:
    /// Spectre breaks long lines at its width, and a terminal wraps by itself while a log keeps the line whole.
    /// </summary>
    public static void WriteError(CliHost host, string message)
    {
        host.Error.WriteLine("error: " + Text.Escape(message.ReplaceLineEndings(" ")));
        host.Error.Flush();
    }
}
