namespace Dialtone.Sip.Message;

/// <summary>A SIP response: status code, reason phrase, headers and body.</summary>
public sealed class SipResponse : SipMessage
{
    public SipResponse(int statusCode, string? reasonPhrase = null)
        : this(statusCode, reasonPhrase ?? SipStatusCodes.DefaultReason(statusCode), new SipHeaderCollection(), ReadOnlyMemory<byte>.Empty)
    {
        if (statusCode is < 100 or > 699)
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "SIP status codes are 100-699.");
        if (ReasonPhrase.AsSpan().ContainsAny('\r', '\n'))
            throw new ArgumentException("The reason phrase cannot contain line breaks.", nameof(reasonPhrase));
    }

    internal SipResponse(int statusCode, string reasonPhrase, SipHeaderCollection headers, ReadOnlyMemory<byte> body)
        : base(headers, body)
    {
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
    }

    internal SipResponse(int statusCode, string reasonPhrase, in SipHeaderIndex index, ReadOnlyMemory<byte> body)
        : base(index, body)
    {
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
    }

    public int StatusCode { get; }

    public string ReasonPhrase { get; }

    public bool IsProvisional => StatusCode < 200;

    public bool IsSuccess => StatusCode is >= 200 and < 300;

    public bool IsFinal => StatusCode >= 200;

    /// <summary>The status line as received (kept so odd spacing round-trips), null when built in code.</summary>
    internal string? RawStatusLine { get; init; }

    private protected override bool IsStartLineAsReceived(ReadOnlySpan<byte> received) => RawStatusLine is not null;

    public override string StartLine => RawStatusLine ?? $"{SipVersion} {StatusCode} {ReasonPhrase}";

    /// <summary>
    /// A response to <paramref name="request"/> per RFC 3261 §8.2.6: Via lines (unchanged, so
    /// received/rport stay), From, To, Call-ID, CSeq and Timestamp copied; Record-Route copied for
    /// dialog-creating 1xx/2xx (§12.1.1). A To tag, when needed, is the caller's to add.
    /// </summary>
    public static SipResponse CreateFor(SipRequest request, int statusCode, string? reasonPhrase = null)
    {
        var response = new SipResponse(statusCode, reasonPhrase);
        foreach (var h in request.Headers)
        {
            var copy = h.Key switch
            {
                SipHeaderNames.Via or SipHeaderNames.From or SipHeaderNames.To or SipHeaderNames.CallId
                    or SipHeaderNames.CSeq or SipHeaderNames.Timestamp => true,
                SipHeaderNames.RecordRoute => statusCode is > 100 and < 300 && request.Method is SipMethods.Invite or SipMethods.Subscribe or SipMethods.Refer or SipMethods.Notify,
                _ => false,
            };
            if (copy)
                response.Headers.Add(h);
        }
        response.Headers.Add(SipHeaderNames.ContentLength, "0");
        return response;
    }
}
