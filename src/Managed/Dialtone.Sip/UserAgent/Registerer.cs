using System.Globalization;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dialtone.Sip.UserAgent;

/// <summary>
/// Keeps one contact registered (RFC 3261 §10): REGISTER with Expires and digest auth, refresh
/// before the granted expiry, 423 → retry with Min-Expires, Service-Route kept, unregister on
/// dispose. With an <see cref="RegistererOptions.InstanceId"/> it does RFC 5626 outbound:
/// <c>+sip.instance</c> and <c>reg-id</c> in the Contact, and when the flow fails it reconnects
/// and re-registers (§4.5): while the registrar cannot be reached it probes again every
/// <see cref="RegistererOptions.FlowProbeInterval"/> (jittered), so registration is back within
/// about one interval of the server's return; a registrar that answers "unavailable" is retried
/// after a jittered exponential backoff.
/// </summary>
public sealed class Registerer : IAsyncDisposable
{
    private readonly SipStack _stack;
    private readonly RegistererOptions _options;
    private readonly ILogger _logger;
    private readonly SipDigestClient? _digest;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly CancellationTokenSource _life = new();
    private readonly string _callId = SipIds.NewCallId();
    private readonly string _fromTag = SipIds.NewTag();
    private readonly Func<CancellationToken, Task> _reconnect;
    private readonly Events.OrderedEventQueue _events;
    private long _cseq;
    private ITimer? _timer;
    private int _consecutiveFailures;
    private int _disposed;

    public Registerer(SipStack stack, RegistererOptions options, ILogger<Registerer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Expires < TimeSpan.FromSeconds(1))
            throw new ArgumentOutOfRangeException(nameof(options), "Expires must be at least one second");
        _stack = stack;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _digest = options.Credentials is { } credentials ? new SipDigestClient(credentials) : null;
        _events = new Events.OrderedEventQueue(_logger, "registerer");
        _reconnect = options.Reconnect ?? (options.Transport is SipWebSocketTransport ws ? ws.ConnectAsync : _ => Task.CompletedTask);
        options.Transport.ConnectionClosed += OnFlowClosed;
    }

    public RegistrationState State { get; private set; } = RegistrationState.Unregistered;

    /// <summary>Raised on every state change, in order, on the thread pool (see <see cref="Events.OrderedEventQueue"/>).</summary>
    public event EventHandler<RegistrationStateChangedEventArgs>? StateChanged;

    /// <summary>The Contact this registerer binds (the transport's current address: it may move after a network change).</summary>
    public SipAddress Contact => BuildContact(_options);

    /// <summary>
    /// The Contact for dialog-forming requests (INVITE, SUBSCRIBE) sent over this flow: with the
    /// <c>ob</c> URI parameter once the registrar confirmed outbound (RFC 5626 §5.4), so in-dialog
    /// requests come back over the same flow.
    /// </summary>
    public SipAddress DialogContact =>
        OutboundEnabled && Contact.Uri is SipUri uri ? Contact with { Uri = uri.WithParameter("ob") } : Contact;

    /// <summary>Service-Route of the last successful registration (RFC 3608): the route for requests we originate.</summary>
    public IReadOnlyList<SipAddress> ServiceRoute { get; private set; } = [];

    /// <summary>The lifetime the registrar granted last time.</summary>
    public TimeSpan? GrantedExpires { get; private set; }

    /// <summary>
    /// The registrar's recommended keep-alive interval (RFC 5626 §4.4.1 Flow-Timer), if it sent
    /// one. Keep-alives themselves are sent by the transport (WebSocket pings, CRLF on TCP/TLS):
    /// configure its interval below this value.
    /// </summary>
    public TimeSpan? FlowTimer { get; private set; }

    /// <summary>True when the registrar confirmed RFC 5626 outbound (Require: outbound in its 2xx).</summary>
    public bool OutboundEnabled { get; private set; }

    /// <summary>
    /// The public GRUU the registrar assigned to our instance (RFC 5627 pub-gruu), if it did. A
    /// Contact in dialogs that stays routable whichever flow we are on: after a flow failure the
    /// proxy finds the new flow through the registration, while a Contact bound to the old flow
    /// (an alias of the old connection) would lead nowhere — and with both parties' flows renewed,
    /// neither could even tell the other its new Contact.
    /// </summary>
    public SipUri? PublicGruu { get; private set; }

    /// <summary>
    /// Registers (or refreshes) now. Throws <see cref="SipAuthenticationException"/> on wrong
    /// credentials, <see cref="SipRequestFailedException"/> on another refusal,
    /// <see cref="SipTransportException"/> or a transaction timeout when the registrar is unreachable.
    /// </summary>
    public async Task RegisterAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RegisterLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Removes the binding (Expires 0) and stops refreshing.</summary>
    public async Task UnregisterAsync(CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            StopTimer();
            var request = BuildRequest(TimeSpan.Zero);
            var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccess)
                throw new SipRequestFailedException(response, "un-REGISTER");
            GrantedExpires = null;
            SetState(RegistrationState.Unregistered);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task RegisterLockedAsync(CancellationToken cancellationToken)
    {
        StopTimer();
        SetState(RegistrationState.Registering);
        var expires = _options.Expires;
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var response = await SendAsync(BuildRequest(expires), cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == 423 && attempt == 0 && MinExpires(response) is { } minimum && minimum > expires)
                {
                    // RFC 3261 §10.2.8: ask again with at least the registrar's minimum.
                    _logger.LogInformation("Registrar wants at least {MinExpires}; retrying", minimum);
                    expires = minimum;
                    continue;
                }
                if (!response.IsSuccess)
                    throw new SipRequestFailedException(response, "REGISTER");

                var granted = GrantedLifetime(response, expires);
                GrantedExpires = granted;
                ServiceRoute = response.AddressList(SipHeaderNames.ServiceRoute);
                FlowTimer = response.Headers["Flow-Timer"] is { } flow &&
                            int.TryParse(flow.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var flowSeconds)
                    ? TimeSpan.FromSeconds(flowSeconds)
                    : null;
                OutboundEnabled = _options.InstanceId is not null &&
                    response.Headers.Values(SipHeaderNames.Require).Any(v => v.Equals("outbound", StringComparison.OrdinalIgnoreCase));
                PublicGruu = PublicGruuOf(response);
                _consecutiveFailures = 0;
                SetState(RegistrationState.Registered, expires: granted);
                ScheduleRefresh(granted);
                return;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            SetState(RegistrationState.Failed, ex);
            throw;
        }
    }

    private async Task<SipResponse> SendAsync(SipRequest request, CancellationToken cancellationToken)
    {
        var send = new SipSendOptions(Transport: _options.Transport);
        // Refreshes reuse the last nonce (next nonce-count) to save a 401 round trip; a stale
        // nonce just gets challenged again.
        _digest?.AuthorizePreemptively(request);
        var response = _digest is null
            ? await _stack.SendRequestAsync(request, send, cancellationToken).ConfigureAwait(false)
            : await _stack.SendWithAuthenticationAsync(request, _digest, send, cancellationToken).ConfigureAwait(false);
        // Authentication retries used higher CSeq numbers: continue after the last one (§10.2.4).
        if (response.CSeq is { } cseq && cseq.Number > Interlocked.Read(ref _cseq))
            Interlocked.Exchange(ref _cseq, cseq.Number);
        return response;
    }

    private SipRequest BuildRequest(TimeSpan expires)
    {
        var aor = new SipAddress(_options.AddressOfRecord);
        var registrar = _options.Registrar ?? new SipUri(_options.AddressOfRecord.Host, _options.AddressOfRecord.Port, secure: _options.AddressOfRecord.IsSecure);
        var request = SipRequestFactory.Create(SipMethods.Register, registrar, aor.WithTag(_fromTag), aor, _callId, Interlocked.Increment(ref _cseq));
        if (_options.OutboundProxy is { } proxy)
            request.Headers.Add(SipHeaderNames.Route, new SipAddress(proxy.Parameters.Contains("lr") ? proxy : proxy.WithParameter("lr")).ToString());
        request.Headers.Add(SipHeaderNames.Contact, Contact.ToString());
        request.Expires = (int)expires.TotalSeconds;
        if (_options.InstanceId is not null)
            request.Headers.Add(SipHeaderNames.Supported, "path, outbound, gruu");
        return request;
    }

    private static SipAddress BuildContact(RegistererOptions options)
    {
        var local = options.Transport.LocalHostPort;
        var uri = new SipUri(local.Host, local.Port, options.AddressOfRecord.User, options.Transport.Kind == SipTransportKind.Tls)
            .WithParameter("transport", options.Transport.Kind.ViaToken().ToLowerInvariant());
        var contact = new SipAddress(uri);
        if (options.InstanceId is { } instance)
        {
            // RFC 5626 §4.1/§4.2: a stable instance URN and the flow's reg-id.
            contact = contact.WithParameter("+sip.instance", $"\"<urn:uuid:{instance:D}>\"")
                             .WithParameter("reg-id", options.RegId.ToString(CultureInfo.InvariantCulture));
        }
        return contact;
    }

    /// <summary>The expiry the registrar granted to our contact (its expires parameter, else Expires, else what we asked).</summary>
    private TimeSpan GrantedLifetime(SipResponse response, TimeSpan requested)
    {
        var ours = response.Contacts.FirstOrDefault(IsOurContact);
        if (ours?.Parameters.Get("expires") is { } text && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return TimeSpan.FromSeconds(seconds);
        if (response.Expires is { } header)
            return TimeSpan.FromSeconds(header);
        return requested;
    }

    /// <summary>Our binding's pub-gruu (a quoted URI, RFC 5627 §4.2), when the registrar gave one.</summary>
    private SipUri? PublicGruuOf(SipResponse response)
    {
        if (_options.InstanceId is null)
            return null;
        var ours = response.Contacts.FirstOrDefault(IsOurContact);
        return ours?.Parameters.Get("pub-gruu") is { } quoted && SipUri.TryParse(SipSyntaxUnquote(quoted), out var gruu) ? gruu : null;
    }

    private bool IsOurContact(SipAddress contact)
    {
        if (_options.InstanceId is not null && contact.Parameters.Get("+sip.instance") is { } instance)
            return string.Equals(SipSyntaxUnquote(instance), SipSyntaxUnquote(Contact.Parameters.Get("+sip.instance")!), StringComparison.OrdinalIgnoreCase);
        return contact.Uri is SipUri uri && Contact.Uri is SipUri mine &&
               string.Equals(uri.Host, mine.Host, StringComparison.OrdinalIgnoreCase) && uri.Port == mine.Port && uri.User == mine.User;
    }

    private static string SipSyntaxUnquote(string value) => value.Trim('"');

    private static TimeSpan? MinExpires(SipResponse response) =>
        response.Headers[SipHeaderNames.MinExpires] is { } text &&
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;

    private void ScheduleRefresh(TimeSpan granted)
    {
        if (granted <= TimeSpan.Zero)
            return;
        var margin = _options.RefreshMargin;
        var delay = granted > margin * 2 ? granted - margin : granted / 2;
        _timer = _stack.Time.CreateTimer(_ => _ = RefreshAsync(), null, delay, Timeout.InfiniteTimeSpan);
    }

    private async Task RefreshAsync()
    {
        try
        {
            await RegisterAsync(_life.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!_life.IsCancellationRequested && ex is not ObjectDisposedException)
        {
            _logger.LogWarning("Registration refresh failed ({Reason})", ex.Message);
            ScheduleRetry(ex);
        }
        catch (Exception)
        {
            // Disposed or cancelled meanwhile: nothing to do.
        }
    }

    /// <summary>
    /// The flow is known to be gone — the network changed and the transport moved to a new address —
    /// so reconnect and register again now (same instance id and reg-id) instead of waiting for a
    /// failure to show. Does nothing unless registered (or on the way to it).
    /// </summary>
    public void RecoverFlowNow(Exception reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (_disposed != 0 || State is not (RegistrationState.Registered or RegistrationState.Registering or RegistrationState.Recovering))
            return;
        _logger.LogInformation("Flow moved ({Reason}); re-registering now", reason.Message);
        ScheduleRecovery(reason, TimeSpan.Zero);
    }

    private void OnFlowClosed(SipEndPoint endPoint, Exception? reason)
    {
        if (_disposed != 0 || State is not (RegistrationState.Registered or RegistrationState.Registering) || !IsOurFlow(endPoint))
            return;
        _logger.LogWarning("Flow {EndPoint} failed ({Reason}); will reconnect and re-register", endPoint, reason?.Message ?? "closed");
        ScheduleProbe(reason ?? new SipTransportException($"flow {endPoint} closed"));
    }

    /// <summary>
    /// A WebSocket transport is one flow. A TCP/TLS transport may hold connections to other peers:
    /// when the next hop is an IP literal, only a connection to it is our flow.
    /// </summary>
    private bool IsOurFlow(SipEndPoint endPoint)
    {
        if (_options.Transport is SipWebSocketTransport)
            return true;
        var hop = _options.OutboundProxy ?? _options.Registrar ?? _options.AddressOfRecord;
        if (!System.Net.IPAddress.TryParse(hop.Host.Trim('[', ']'), out var address))
            return true;
        var port = hop.Port ?? Stack.SipUriResolver.DefaultPort(endPoint.Kind);
        return endPoint.Address.Address.Equals(address) && endPoint.Address.Port == port;
    }

    /// <summary>
    /// What to do after a failed attempt: probe again soon when the registrar could not be reached;
    /// back off when it answered "try later"; give up (Failed was reported) when it refused us.
    /// </summary>
    private void ScheduleRetry(Exception error)
    {
        if (error is SipRequestFailedException { StatusCode: 408 or 480 or 500 or 503 or 504 } unavailable)
            ScheduleBackoff(unavailable);
        else if (error is SipRequestFailedException or SipAuthenticationException)
            _logger.LogWarning("Registration refused ({Reason}); not retrying", error.Message);
        else
            ScheduleProbe(error); // unreachable: refused or reset connection, connect or transaction timeout
    }

    /// <summary>
    /// The registrar cannot be reached: try again after a random 50–100 % of the probe interval.
    /// A probe costs a connection attempt, so it can be frequent; the jitter spreads the attempts
    /// of many clients across the interval, so a returning server is not hit by all at once.
    /// </summary>
    private void ScheduleProbe(Exception reason) =>
        ScheduleRecovery(reason, _options.FlowProbeInterval * (0.5 + 0.5 * Random.Shared.NextDouble()));

    /// <summary>
    /// RFC 5626 §4.5 for a registrar that answered but cannot serve us now: wait
    /// min(max, base·2^failures), randomly 50–100 % of it, or its Retry-After when that is longer.
    /// </summary>
    private void ScheduleBackoff(SipRequestFailedException unavailable)
    {
        var exponent = Math.Min(_consecutiveFailures, 16);
        var wait = TimeSpan.FromTicks(Math.Min(_options.FlowRecoveryMaxDelay.Ticks, _options.FlowRecoveryBaseDelay.Ticks * (1L << exponent)));
        var delay = wait * (0.5 + 0.5 * Random.Shared.NextDouble());
        if (RetryAfter(unavailable.Response) is { } retryAfter && retryAfter > delay)
            delay = TimeSpan.FromTicks(Math.Min(retryAfter.Ticks, _options.FlowRecoveryMaxDelay.Ticks));
        _consecutiveFailures++;
        ScheduleRecovery(unavailable, delay);
    }

    private static TimeSpan? RetryAfter(SipResponse response) =>
        response.Headers[SipHeaderNames.RetryAfter] is { } text &&
        int.TryParse(text.Split(';', '(')[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;

    private void ScheduleRecovery(Exception reason, TimeSpan delay)
    {
        if (_disposed != 0)
            return;
        StopTimer();
        SetState(RegistrationState.Recovering, reason);
        _logger.LogInformation("Re-registering in {Delay}", delay);
        _timer = _stack.Time.CreateTimer(_ => _ = RecoverAsync(), null, delay, Timeout.InfiniteTimeSpan);
    }

    private async Task RecoverAsync()
    {
        try
        {
            await _lock.WaitAsync(_life.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        try
        {
            // A probe into a frozen server leaves no REGISTER behind for it to read when it resumes
            // (which could bind us to a connection closed since): a TCP connection with keep-alives
            // is used only once the server answered one, and TLS and WebSocket connections only once
            // their handshake is done, which needs the server itself.
            await _reconnect(_life.Token).ConfigureAwait(false);
            await RegisterLockedAsync(_life.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!_life.IsCancellationRequested && ex is not ObjectDisposedException)
        {
            _logger.LogWarning("Flow recovery attempt failed: {Reason}", ex.Message);
            ScheduleRetry(ex);
        }
        catch (Exception)
        {
        }
        finally
        {
            _lock.Release();
        }
    }

    private void StopTimer()
    {
        _timer?.Dispose();
        _timer = null;
    }

    private void SetState(RegistrationState state, Exception? error = null, TimeSpan? expires = null)
    {
        State = state;
        // Raised in order on the thread pool (never on the transport or timer thread that got here);
        // a failing handler is logged by the queue.
        _events.Raise(this, StateChanged, new RegistrationStateChangedEventArgs(state, error, expires));
    }

    /// <summary>Unregisters (best effort, bounded by <see cref="RegistererOptions.UnregisterTimeout"/>) and stops.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _options.Transport.ConnectionClosed -= OnFlowClosed;
        StopTimer();
        if (State is RegistrationState.Registered)
        {
            using var timeout = new CancellationTokenSource(_options.UnregisterTimeout);
            try
            {
                await UnregisterAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _logger.LogInformation("Unregister on dispose failed: {Reason}", ex.Message);
            }
        }
        _life.Cancel();
        await _lock.WaitAsync().ConfigureAwait(false);
        StopTimer();
        SetState(RegistrationState.Disposed);
        _lock.Release();
        _life.Dispose();
    }
}
