using System.Globalization;
using System.Text;
using Dialtone.Sip.Message;

namespace Dialtone.Sip.Sessions;

/// <summary>The extension headers of the session layer (RFC 4028 timers, RFC 3262 100rel, RFC 3891 Replaces), read leniently.</summary>
internal static class SessionHeaders
{
    public const string MinSE = "Min-SE";
    public const string RSeq = "RSeq";
    public const string RAck = "RAck";
    public const string Replaces = "Replaces";
    public const string Prack = "PRACK";
    public const string TimerTag = "timer";
    public const string ReliableTag = "100rel";
    public const string ReplacesTag = "replaces";

    /// <summary>Whether the header (Supported, Require, Allow) lists the token, case-insensitively.</summary>
    public static bool Lists(SipMessage message, string header, string token)
    {
        foreach (var value in message.Headers.Values(header))
        {
            if (value.Trim().Equals(token, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    /// <summary>Session-Expires (or its compact form x): the interval and the refresher parameter; null when absent or unreadable.</summary>
    public static (TimeSpan Interval, string? Refresher)? SessionExpires(SipMessage message)
    {
        var value = message.Headers[SipHeaderNames.SessionExpires];
        if (value is null)
            return null;
        var parts = value.Split(';', StringSplitOptions.TrimEntries);
        if (!TrySeconds(parts[0], out var interval))
            return null;
        string? refresher = null;
        foreach (var parameter in parts.Skip(1))
        {
            var eq = parameter.IndexOf('=');
            if (eq > 0 && parameter[..eq].Trim().Equals("refresher", StringComparison.OrdinalIgnoreCase))
                refresher = parameter[(eq + 1)..].Trim().ToLowerInvariant();
        }
        return (interval, refresher is "uac" or "uas" ? refresher : null);
    }

    /// <summary>Min-SE: the smallest interval the sender accepts; null when absent or unreadable.</summary>
    public static TimeSpan? MinimumInterval(SipMessage message)
    {
        var value = message.Headers[MinSE];
        if (value is null)
            return null;
        var number = value.Split(';')[0];
        return TrySeconds(number, out var interval) ? interval : null;
    }

    /// <summary>RSeq of a reliable provisional response (RFC 3262 §7.1: 1 to 2^31-1).</summary>
    public static long? ReliableSequence(SipResponse response) =>
        long.TryParse(response.Headers[RSeq]?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= int.MaxValue ? n : null;

    public static string Seconds(TimeSpan interval) => ((long)interval.TotalSeconds).ToString(CultureInfo.InvariantCulture);

    /// <summary>Adds the option tag to a comma list once.</summary>
    public static string WithTag(string list, string tag)
    {
        var tags = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return tags.Contains(tag, StringComparer.OrdinalIgnoreCase) ? list : tags.Length == 0 ? tag : list + ", " + tag;
    }

    /// <summary>
    /// Escapes a header value for a URI's headers part (RFC 3261 §25.1 hvalue: unreserved and
    /// hnv-unreserved characters stay, everything else — ';', '=', '@', '&amp;', spaces — becomes %XX of its UTF-8 bytes).
    /// </summary>
    public static string EscapeUriHeaderValue(string value)
    {
        var sb = new StringBuilder(value.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (b < 0x80 && (char.IsAsciiLetterOrDigit(c) || "-_.!~*'()[]/?:+$".Contains(c, StringComparison.Ordinal)))
                sb.Append(c);
            else
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>The value of a URI header as written (percent-escaped), unescaped; null when an escape is malformed.</summary>
    public static string? UnescapeUriHeaderValue(string value)
    {
        try
        {
            return Uri.UnescapeDataString(value);
        }
        catch (UriFormatException)
        {
            return null;
        }
    }

    private static bool TrySeconds(string text, out TimeSpan interval)
    {
        interval = default;
        if (!long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds is < 1 or > uint.MaxValue)
            return false;
        interval = TimeSpan.FromSeconds(seconds);
        return true;
    }
}
