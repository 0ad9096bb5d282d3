using System.Collections.Frozen;

namespace Dialtone.Sip.Message;

/// <summary>Header names and their compact forms (RFC 3261 §7.3.3, §20 and later RFCs).</summary>
public static class SipHeaderNames
{
    public const string Accept = "Accept";
    public const string AcceptContact = "Accept-Contact";
    public const string Allow = "Allow";
    public const string AllowEvents = "Allow-Events";
    public const string AuthenticationInfo = "Authentication-Info";
    public const string Authorization = "Authorization";
    public const string CallId = "Call-ID";
    public const string Contact = "Contact";
    public const string ContentDisposition = "Content-Disposition";
    public const string ContentEncoding = "Content-Encoding";
    public const string ContentLength = "Content-Length";
    public const string ContentType = "Content-Type";
    public const string CSeq = "CSeq";
    public const string Event = "Event";
    public const string Expires = "Expires";
    public const string From = "From";
    public const string Identity = "Identity";
    public const string MaxForwards = "Max-Forwards";
    public const string MinExpires = "Min-Expires";
    public const string Path = "Path";
    public const string ProxyAuthenticate = "Proxy-Authenticate";
    public const string ProxyAuthorization = "Proxy-Authorization";
    public const string ProxyRequire = "Proxy-Require";
    public const string RecordRoute = "Record-Route";
    public const string ReferredBy = "Referred-By";
    public const string ReferTo = "Refer-To";
    public const string RejectContact = "Reject-Contact";
    public const string RequestDisposition = "Request-Disposition";
    public const string Require = "Require";
    public const string RetryAfter = "Retry-After";
    public const string Route = "Route";
    public const string Server = "Server";
    public const string ServiceRoute = "Service-Route";
    public const string SessionExpires = "Session-Expires";
    public const string Subject = "Subject";
    public const string Supported = "Supported";
    public const string Timestamp = "Timestamp";
    public const string To = "To";
    public const string Unsupported = "Unsupported";
    public const string UserAgent = "User-Agent";
    public const string Via = "Via";
    public const string Warning = "Warning";
    public const string WwwAuthenticate = "WWW-Authenticate";

    private static readonly string[] KnownNames =
    [
        Accept, AcceptContact, Allow, AllowEvents, AuthenticationInfo, Authorization, CallId, Contact,
        ContentDisposition, ContentEncoding, ContentLength, ContentType, CSeq, Event, Expires, From, Identity,
        MaxForwards, MinExpires, Path, ProxyAuthenticate, ProxyAuthorization, ProxyRequire, RecordRoute,
        ReferredBy, ReferTo, RejectContact, RequestDisposition, Require, RetryAfter, Route, Server, ServiceRoute,
        SessionExpires, Subject, Supported, Timestamp, To, Unsupported, UserAgent, Via, Warning, WwwAuthenticate,
    ];

    // Case-insensitive lookup straight from a span (no string for the name being looked up).
    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Known =
        KnownNames.ToFrozenDictionary(n => n, StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The long form for a compact name, or null when <paramref name="c"/> is not one.</summary>
    public static string? FromCompact(char c) => char.ToLowerInvariant(c) switch
    {
        'a' => AcceptContact,
        'b' => ReferredBy,
        'c' => ContentType,
        'd' => RequestDisposition,
        'e' => ContentEncoding,
        'f' => From,
        'i' => CallId,
        'j' => RejectContact,
        'k' => Supported,
        'l' => ContentLength,
        'm' => Contact,
        'o' => Event,
        'r' => ReferTo,
        's' => Subject,
        't' => To,
        'u' => AllowEvents,
        'v' => Via,
        'x' => SessionExpires,
        'y' => Identity,
        _ => null,
    };

    /// <summary>
    /// The canonical name used to look a header up: compact forms expand, known names map to the
    /// constants above (no allocation), other names are returned as written.
    /// </summary>
    public static string Canonical(ReadOnlySpan<char> name)
    {
        if (name.Length == 1 && FromCompact(name[0]) is { } full)
            return full;
        return Known.TryGetValue(name, out var known) ? known : name.ToString();
    }

    /// <summary>
    /// Headers whose values contain commas that do not separate values: the authentication
    /// headers (their parameters are comma-separated) and date/text headers.
    /// </summary>
    public static bool IsSingleValued(string canonicalName) =>
        canonicalName is WwwAuthenticate or Authorization or ProxyAuthenticate or ProxyAuthorization
            or AuthenticationInfo or CallId or CSeq or ContentLength or ContentType or Subject or Server
            or UserAgent or Identity or MaxForwards or Timestamp or RetryAfter or "Date";
}
