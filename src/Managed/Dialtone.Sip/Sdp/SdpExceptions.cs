namespace Dialtone.Sip.Sdp;

/// <summary>SDP text that does not follow RFC 4566's grammar (the line number says where).</summary>
public sealed class SdpParseException(string message, int lineNumber) : FormatException(
    lineNumber > 0 ? $"SDP line {lineNumber}: {message}" : message)
{
    /// <summary>1-based line of the offending text; 0 when the whole body is at fault.</summary>
    public int LineNumber { get; } = lineNumber;
}

/// <summary>
/// A well-formed offer or answer that Dialtone cannot take (no common codec, no usable a=crypto,
/// a transport profile this path does not speak). The message is meant for a SIP Warning header
/// (RFC 3261 code 305, "Incompatible media format") and names what would be needed.
/// </summary>
public sealed class SdpNegotiationException(string message) : Exception(message);
