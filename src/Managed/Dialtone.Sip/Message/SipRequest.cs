namespace Dialtone.Sip.Message;

/// <summary>A SIP request: method, Request-URI, headers and body.</summary>
public sealed class SipRequest : SipMessage
{
    private UriReference? _requestUri; // null while a parsed (and checked) Request-URI is only bytes
    private string? _requestUriText; // null while it is still only bytes of a parsed message
    private readonly int _uriStart;
    private readonly int _uriLength;
    private bool _requestUriEdited;

    /// <summary>A new request with no headers; set From/To/CallId/CSeq/MaxForwards and add others in an object initializer.</summary>
    public SipRequest(string method, UriReference requestUri)
        : this(method, requestUri, requestUri.ToString(), new SipHeaderCollection(), ReadOnlyMemory<byte>.Empty)
    {
        if (!SipSyntax.IsToken(method))
            throw new ArgumentException($"Method '{method}' is not a token.", nameof(method));
    }

    internal SipRequest(string method, UriReference requestUri, string requestUriText, SipHeaderCollection headers, ReadOnlyMemory<byte> body)
        : base(headers, body)
    {
        Method = method;
        _requestUri = requestUri;
        _requestUriText = requestUriText;
    }

    /// <summary>A parsed request: the Request-URI text stays in the message's buffer until asked for.</summary>
    internal SipRequest(string method, in SipHeaderIndex index, int uriStart, int uriLength, ReadOnlyMemory<byte> body)
        : base(index, body)
    {
        Method = method;
        _uriStart = uriStart;
        _uriLength = uriLength;
    }

    public string Method { get; }

    /// <summary>The Request-URI as written (as received for a parsed request).</summary>
    private string RequestUriText => _requestUriText ??= System.Text.Encoding.UTF8.GetString(Index.Buffer, _uriStart, _uriLength);

    public UriReference RequestUri
    {
        get => _requestUri ??= SipHeaderText.Parse(Index.Buffer.AsSpan(_uriStart, _uriLength), "Request-URI", 1, static (text, what, line) => UriReference.Parse(text, what, line));
        set
        {
            _requestUri = value;
            _requestUriText = value.ToString();
            _requestUriEdited = true;
        }
    }

    /// <summary>A copy with its own header list (header lines are immutable and shared) and the same body.</summary>
    public SipRequest Clone() => new(Method, RequestUri, RequestUriText, new SipHeaderCollection([.. Headers]), Body);

    private protected override bool IsStartLineAsReceived(ReadOnlySpan<byte> received) =>
        !_requestUriEdited && received.EndsWith(" SIP/2.0"u8) && received.Length == Method.Length + 1 + _uriLength + 8;

    public override string StartLine => $"{Method} {RequestUriText} {SipVersion}";
}
