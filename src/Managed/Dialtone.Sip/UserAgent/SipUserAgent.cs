using System.Text;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Transactions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dialtone.Sip.UserAgent;

/// <summary>
/// The out-of-dialog part of a user agent: answers OPTIONS (200 with Allow/Accept/Supported,
/// RFC 3261 §11), sends and receives MESSAGE (RFC 3428). Requests it does not handle go to
/// <see cref="Next"/> (e.g. the call layer), or are answered 405 with Allow.
/// </summary>
public sealed class SipUserAgent : ISipTransactionUser
{
    private readonly SipStack _stack;
    private readonly SipUserAgentOptions _options;
    private readonly ILogger _logger;
    private readonly SipDigestClient? _digest;
    private readonly Events.OrderedEventQueue _events;

    /// <summary>Creates the agent and makes it the stack's transaction user.</summary>
    public SipUserAgent(SipStack stack, SipUserAgentOptions options, ILogger<SipUserAgent>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(options);
        _stack = stack;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _digest = options.Credentials is { } c ? new SipDigestClient(c) : null;
        _events = new Events.OrderedEventQueue(_logger, "user agent");
        stack.TransactionUser = this;
    }

    /// <summary>Handles requests this agent does not (INVITE, BYE…).</summary>
    public ISipTransactionUser? Next { get; set; }

    /// <summary>Raised for each MESSAGE received (after the 200 was sent), in arrival order on the thread pool.</summary>
    public event EventHandler<SipTextMessage>? MessageReceived;

    /// <summary>
    /// Sends a MESSAGE (RFC 3428) and returns the 2xx. Throws <see cref="SipRequestFailedException"/>
    /// for another final response, <see cref="SipAuthenticationException"/> for rejected credentials.
    /// </summary>
    public async Task<SipResponse> SendMessageAsync(SipUri to, string text, string contentType = "text/plain", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(text);
        var from = new SipAddress(_options.AddressOfRecord, _options.DisplayName);
        var request = SipRequestFactory.Create(SipMethods.Message, to, from, new SipAddress(to));
        if (_options.OutboundProxy is { } proxy)
            request.Headers.Add(SipHeaderNames.Route, new SipAddress(proxy.Parameters.Contains("lr") ? proxy : proxy.WithParameter("lr")).ToString());
        request.Headers.Remove(SipHeaderNames.ContentLength);
        request.SetBody(Encoding.UTF8.GetBytes(text), SipContentType.Parse(contentType + ";charset=utf-8"));
        var send = _options.Transport is { } transport ? new SipSendOptions(Transport: transport) : null;
        var response = _digest is null
            ? await _stack.SendRequestAsync(request, send, cancellationToken).ConfigureAwait(false)
            : await _stack.SendWithAuthenticationAsync(request, _digest, send, cancellationToken).ConfigureAwait(false);
        return response.IsSuccess ? response : throw new SipRequestFailedException(response, "MESSAGE");
    }

    void ISipTransactionUser.OnRequest(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        switch (request.Method)
        {
            case SipMethods.Options:
                Respond(transaction, AddCapabilities(transaction.CreateResponse(200)));
                break;
            case SipMethods.Message:
                OnMessage(transaction);
                break;
            default:
                if (Next is { } next)
                {
                    next.OnRequest(transaction);
                    return;
                }
                var notAllowed = transaction.CreateResponse(405);
                notAllowed.Headers.Add(SipHeaderNames.Allow, string.Join(", ", _options.Allow));
                Respond(transaction, notAllowed);
                break;
        }
    }

    void ISipTransactionUser.OnAck(SipRequest ack, Transport.SipEndPoint source) => Next?.OnAck(ack, source);

    void ISipTransactionUser.OnStrayResponse(SipResponse response, Transport.SipEndPoint source) => Next?.OnStrayResponse(response, source);

    private void OnMessage(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        SipContentType? type;
        try
        {
            type = request.ContentType;
        }
        catch (SipParseException)
        {
            type = null;
        }
        if (type is null || !_options.Accept.Any(a => a.Equals(type.MediaType, StringComparison.OrdinalIgnoreCase)))
        {
            // RFC 3428 §7: unsupported body type → 415 with what we take.
            var unsupported = transaction.CreateResponse(415);
            unsupported.Headers.Add(SipHeaderNames.Accept, string.Join(", ", _options.Accept));
            Respond(transaction, unsupported);
            return;
        }
        Respond(transaction, transaction.CreateResponse(200));
        var message = new SipTextMessage(request.From!, request.To!, type.MediaType, Encoding.UTF8.GetString(request.Body.Span), request);
        // In arrival order, off the stack's executor; a failing handler is logged.
        _events.Raise(this, MessageReceived, message);
    }

    private SipResponse AddCapabilities(SipResponse response)
    {
        response.Headers.Add(SipHeaderNames.Allow, string.Join(", ", _options.Allow));
        response.Headers.Add(SipHeaderNames.Accept, string.Join(", ", _options.Accept));
        if (_options.Supported.Count > 0)
            response.Headers.Add(SipHeaderNames.Supported, string.Join(", ", _options.Supported));
        return response;
    }

    private void Respond(SipServerTransaction transaction, SipResponse response)
    {
        var sending = transaction.SendResponseAsync(response);
        sending.ContinueWith(t => _logger.LogWarning(t.Exception!.GetBaseException(), "Could not answer {Method}", transaction.Request.Method),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }
}
