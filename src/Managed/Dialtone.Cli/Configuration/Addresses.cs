using Dialtone.Sip.Message;

namespace Dialtone.Cli.Configuration;

/// <summary>SIP addresses typed by the user (the call target, a transfer target), with the reason when one is not.</summary>
internal static class Addresses
{
    public static bool TryParse(string text, out UriReference uri, out string problem)
    {
        uri = null!;
        problem = "";
        if (text.Any(char.IsControl))
        {
            problem = "it holds control characters";
            return false;
        }
        try
        {
            uri = UriReference.Parse(text.Trim());
            return true;
        }
        // The parser throws its own exception for bad text, and (for some inputs) an argument exception.
        catch (Exception e) when (e is SipParseException or ArgumentException)
        {
            problem = e.Message;
            return false;
        }
    }

    /// <summary>The address, or a usage error: "'x' is not a SIP address like sip:bob@example.com (why)".</summary>
    public static UriReference Parse(string text, string example)
    {
        if (TryParse(text, out var uri, out var problem))
            return uri;
        throw new CliException(ExitCode.Usage, $"'{Text.Escape(text)}' is not a SIP address like {example} ({Text.Escape(problem)}).");
    }
}
