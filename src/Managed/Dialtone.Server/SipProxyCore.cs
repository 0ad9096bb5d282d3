using System.Security.Cryptography;
using System.Text;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace Dialtone.Server;

/// <summary>
/// A stateless proxy (RFC 3261 §16.11) between WebSocket flows, with the registrar for its domain.
/// Requests to a user of the domain go to the newest registered contact; requests to a contact go to
/// the flow that contact lives on; dialogs are record-routed through here, because a WebSocket client
/// is reachable only over its own connection. Responses find their way back by a Via parameter that
/// names the flow the request came from.
/// </summary>
internal sealed partial class SipProxyCore(Registrar registrar, FlowTable flows, ILogger logger)
{
    private const string FlowParameter = "dt-flow";
    private const int DefaultMaxForwards = 70;

    /// <summary>This server's host and port as it writes them in Via and Record-Route; set once Kestrel is bound.</summary>
    public SipHostPort Self { get; set; }

    /// <summary>Whether clients reach us over TLS (wss://): our Via and Record-Route then say so.</summary>
    public bool Secure { get; set; }

    private string ViaTransport => Secure ? "WSS" : "WS";

    public SipUri RecordRouteUri => new SipUri(Self.Host, Self.Port).WithParameter("transport", Secure ? "wss" : "ws").WithParameter("lr");

    public async Task OnMessageAsync(SipFlow source, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        SipMessage message;
        try
        {
            message = SipParser.Parse(bytes.Span);
        }
        catch (SipParseException e)
        {
            LogMalformed(logger, source.Id, e.Message);
            // The Sip layer's rule for what a malformed request gets back (a 400 naming the fault, or nothing).
            if (Sip.Stack.MalformedRequestAnswer.ForUnparsed(bytes.Span, e) is { } reply)
                await source.SendAsync(reply, cancellationToken).ConfigureAwait(false);
            return;
        }

        LogReceived(logger, source.Id, message.StartLine);
        try
        {
            if (message is SipRequest request)
                await OnRequestAsync(source, request, cancellationToken).ConfigureAwait(false);
            else
                await OnResponseAsync((SipResponse)message, cancellationToken).ConfigureAwait(false);
        }
        catch (SipParseException e) when (message is SipRequest request && request.Method != SipMethods.Ack)
        {
            // A header the parser accepted as a line but the proxy needed typed was malformed.
            await source.SendAsync(WithToTag(SipResponse.CreateFor(request, 400, $"Bad Request ({e.Reason})"), request), cancellationToken).ConfigureAwait(false);
        }
        catch (SipParseException e)
        {
            LogMalformed(logger, source.Id, e.Message);
        }
    }

    private async Task OnRequestAsync(SipFlow source, SipRequest request, CancellationToken cancellationToken)
    {
        if (request.TopVia is { } topVia && topVia.Host.EndsWith(".invalid", StringComparison.OrdinalIgnoreCase))
            flows.NoteHost(topVia.Host, source);
        if (request.TopVia is null || request.CallId is null || request.CSeq is null || request.From is null || request.To is null)
        {
            await ReplyAsync(source, request, 400, "Bad Request (missing Via, From, To, Call-ID or CSeq)", cancellationToken).ConfigureAwait(false);
            return;
        }

        var maxForwards = request.MaxForwards ?? DefaultMaxForwards;
        if (maxForwards <= 0)
        {
            await ReplyAsync(source, request, 483, null, cancellationToken).ConfigureAwait(false);
            return;
        }

        RemoveOwnRoute(request);
        if (request.Routes.Count > 0)
        {
            await ReplyAsync(source, request, 404, "Not Found (this server routes only to its own clients)", cancellationToken).ConfigureAwait(false);
            return;
        }

        var requestUri = request.RequestUri as SipUri;
        if (request.Method == SipMethods.Register && requestUri is not null && (registrar.IsOurDomain(requestUri.Host) || IsSelf(requestUri)))
        {
            var response = registrar.Register(request, source);
            await source.SendAsync(response, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (requestUri is not null && requestUri.User is null && (IsSelf(requestUri) || registrar.IsOurDomain(requestUri.Host)))
        {
            await AnswerForSelfAsync(source, request, cancellationToken).ConfigureAwait(false);
            return;
        }

        var target = FindTarget(request, requestUri, out var notFoundReason);
        if (target is null)
        {
            await ReplyAsync(source, request, notFoundReason == 480 ? 480 : 404, null, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (IsDialogCreating(request))
            request.Headers.Prepend(new SipHeader(SipHeaderNames.RecordRoute, new SipAddress(RecordRouteUri).ToString()));
        request.MaxForwards = maxForwards - 1;
        request.PushVia(new SipVia(ViaTransport, Self.Host, Self.Port, StatelessBranch(request, source)).WithParameter(FlowParameter, source.Id));

        try
        {
            await target.SendAsync(request, cancellationToken).ConfigureAwait(false);
            LogForwarded(logger, request.Method, source.Id, target.Id);
        }
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            request.PopVia();
            await ReplyAsync(source, request, 480, "Temporarily Unavailable (connection lost)", cancellationToken).ConfigureAwait(false);
        }
    }

    private SipFlow? FindTarget(SipRequest request, SipUri? requestUri, out int failureStatus)
    {
        failureStatus = 404;
        if (requestUri is null)
            return null;
        if (requestUri.User is { } user && registrar.IsOurDomain(requestUri.Host))
        {
            var binding = registrar.Lookup(user);
            if (binding is null)
            {
                failureStatus = 480;
                return null;
            }
            request.RequestUri = binding.Contact.Uri;
            return flows.Get(binding.FlowId);
        }
        // An in-dialog request (or one to a GRUU-like contact): the target is a client's contact.
        var flowId = registrar.FlowOfContactHost(requestUri.Host);
        return flows.Get(flowId) ?? flows.GetByHost(requestUri.Host);
    }

    private async Task OnResponseAsync(SipResponse response, CancellationToken cancellationToken)
    {
        var top = response.TopVia;
        if (top is null || !IsSelf(top.Host, top.Port) || top.Parameters.Get(FlowParameter) is not { } flowId)
        {
            LogStrayResponse(logger, response.StartLine);
            return;
        }
        response.PopVia();
        if (flows.Get(flowId) is not { } destination)
        {
            LogStrayResponse(logger, response.StartLine);
            return;
        }
        await destination.SendAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task AnswerForSelfAsync(SipFlow source, SipRequest request, CancellationToken cancellationToken)
    {
        switch (request.Method)
        {
            case SipMethods.Ack:
                return;
            case SipMethods.Options:
                var ok = WithToTag(SipResponse.CreateFor(request, 200), request);
                ok.Headers.Add(SipHeaderNames.Allow, "REGISTER, OPTIONS, INVITE, ACK, CANCEL, BYE, UPDATE, INFO, REFER, NOTIFY, MESSAGE");
                ok.Headers.Add(SipHeaderNames.Accept, "application/sdp");
                await source.SendAsync(ok, cancellationToken).ConfigureAwait(false);
                return;
            default:
                await ReplyAsync(source, request, 404, "Not Found (no user in the Request-URI)", cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    private async Task ReplyAsync(SipFlow source, SipRequest request, int status, string? reason, CancellationToken cancellationToken)
    {
        if (request.Method == SipMethods.Ack)
            return; // ACK is never answered (RFC 3261 §17.2.3)
        await source.SendAsync(WithToTag(SipResponse.CreateFor(request, status, reason), request), cancellationToken).ConfigureAwait(false);
    }

    private void RemoveOwnRoute(SipRequest request)
    {
        var first = request.Headers.First(SipHeaderNames.Route);
        if (first is null)
            return;
        var routes = request.AddressList(SipHeaderNames.Route);
        if (routes[0].SipUri is not { } top || !IsSelf(top))
            return;
        var index = request.Headers.IndexOf(first);
        var remainingInLine = first.SplitValues().Skip(1).ToList();
        if (remainingInLine.Count == 0)
            request.Headers.RemoveAt(index);
        else
            request.Headers.ReplaceAt(index, new SipHeader(first.Name, string.Join(", ", remainingInLine)));
    }

    private bool IsSelf(SipUri uri) => IsSelf(uri.Host, uri.Port);

    private bool IsSelf(string host, int? port) =>
        string.Equals(host, Self.Host, StringComparison.OrdinalIgnoreCase) && (port ?? 5060) == (Self.Port ?? 5060);

    private static bool IsDialogCreating(SipRequest request) =>
        request.To?.Tag is null && request.Method is SipMethods.Invite or SipMethods.Subscribe or SipMethods.Refer;

    /// <summary>
    /// RFC 3261 §16.11: a stateless proxy must give a request's retransmissions, its CANCEL and its
    /// non-2xx ACK the same branch, so the branch is a hash of what they share.
    /// </summary>
    private static string StatelessBranch(SipRequest request, SipFlow source)
    {
        var via = request.TopVia!;
        var key = via.HasRfc3261Branch
            ? $"{via.Branch}|{via.Host}|{via.Port}|{source.Id}"
            : $"{request.CallId}|{request.CSeq!.Number}|{request.From!.Tag}|{request.RequestUri}|{source.Id}";
        if (request.Method is SipMethods.Ack && !via.HasRfc3261Branch)
            key += "|ACK";
        return SipVia.MagicCookie + Hash(key);
    }

    /// <summary>Adds a To tag to a response the proxy generates, the same for every retransmission of the request.</summary>
    internal static SipResponse WithToTag(SipResponse response, SipRequest request)
    {
        if (response.StatusCode > 100 && response.To is { Tag: null } to)
            response.To = to.WithTag(Hash($"{request.CallId}|{request.TopVia?.Branch}")[..10]);
        return response;
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];

    [LoggerMessage(Level = LogLevel.Debug, Message = "flow {FlowId} received {StartLine}")]
    private static partial void LogReceived(ILogger logger, string flowId, string startLine);

    [LoggerMessage(Level = LogLevel.Debug, Message = "forwarded {Method} from flow {From} to flow {To}")]
    private static partial void LogForwarded(ILogger logger, string method, string from, string to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "flow {FlowId} sent a malformed message: {Error}")]
    private static partial void LogMalformed(ILogger logger, string flowId, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "dropped a response not for this proxy or for a closed flow: {StartLine}")]
    private static partial void LogStrayResponse(ILogger logger, string startLine);
}
