using System.Collections.Concurrent;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transactions;
using Dialtone.Sip.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dialtone.Sip.Stack;

/// <summary>
/// The SIP stack: owns transports, parses what they receive, runs the RFC 3261 §17 transactions
/// on one serialized executor with timers from an injected <see cref="TimeProvider"/>, and hands
/// new requests to the <see cref="TransactionUser"/>.
/// <para>Send a request with <see cref="SendRequestAsync"/> (final response) or
/// <see cref="StartRequestAsync"/> (the transaction, to read provisional responses or CANCEL it).</para>
/// </summary>
public sealed partial class SipStack : IAsyncDisposable
{
    private readonly SipExecutor _executor;
    private readonly TransactionTable _table = new();
    private readonly ConcurrentDictionary<ISipTransport, bool> _transports = new();
    private readonly ISipUriResolver _resolver;
    private readonly Host _host;
    private volatile bool _disposed;
    private int _disposeStarted;

    /// <summary>
    /// Messages handed to a transport that has not finished with them (a connection being opened for a
    /// response whose request's connection is gone, a TLS handshake): disposing waits for them, bounded.
    /// </summary>
    private readonly ConcurrentDictionary<Task, bool> _sending = new();

    /// <summary>How long <see cref="DisposeAsync"/> lets messages already handed over reach their transport.</summary>
    public static TimeSpan SendsDrainBound { get; } = TimeSpan.FromSeconds(2);

    public SipStack(
        IEnumerable<ISipTransport> transports,
        SipStackOptions? options = null,
        ISipUriResolver? resolver = null,
        TimeProvider? timeProvider = null,
        ILogger<SipStack>? logger = null)
    {
        Options = options ?? SipStackOptions.Default;
        Time = timeProvider ?? TimeProvider.System;
        Logger = logger ?? NullLogger<SipStack>.Instance;
        _resolver = resolver ?? new SipUriResolver();
        _executor = new SipExecutor(Logger);
        _host = new Host(this);
        foreach (var t in transports)
            AddTransport(t);
    }

    public SipStackOptions Options { get; }

    public TimeProvider Time { get; }

    internal ILogger Logger { get; }

    /// <summary>The serialized executor, for the session layer (Sessions/SessionScheduler) to run on.</summary>
    internal SipExecutor Executor => _executor;

    /// <summary>Receives new requests and 2xx ACKs. Without one, requests get 501 Not Implemented.</summary>
    public ISipTransactionUser? TransactionUser { get; set; }

    public IReadOnlyCollection<ISipTransport> Transports => (IReadOnlyCollection<ISipTransport>)_transports.Keys;

    /// <summary>Adds a transport (e.g. a new WebSocket connection); the stack disposes it on shutdown.</summary>
    public void AddTransport(ISipTransport transport)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_transports.TryAdd(transport, true))
        {
            transport.FrameReceived += OnFrameReceived;
            transport.ConnectionClosed += OnConnectionClosed;
        }
    }

    /// <summary>Stops using a transport without disposing it.</summary>
    public bool RemoveTransport(ISipTransport transport)
    {
        if (!_transports.TryRemove(transport, out _))
            return false;
        transport.FrameReceived -= OnFrameReceived;
        transport.ConnectionClosed -= OnConnectionClosed;
        return true;
    }

    /// <summary>
    /// Sends a request in a client transaction and returns its final response (any status). When
    /// the target resolves to several destinations and sending to one fails at the transport,
    /// the next is tried in a new transaction (RFC 3263 §4.3).
    /// </summary>
    /// <exception cref="SipTransactionTimeoutException">Timer B/F fired.</exception>
    /// <exception cref="SipTransportException">It could not be resolved or sent.</exception>
    public async Task<SipResponse> SendRequestAsync(SipRequest request, SipSendOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Method == SipMethods.Ack)
            throw new ArgumentException("ACK has no client transaction; use SendAckAsync.", nameof(request));
        CheckOutgoing(request);
        var scheduler = CallersExecutorScheduler;
        var resume = scheduler is not null;
        var routes = await RouteAsync(request, options, cancellationToken).ConfigureAwait(resume);
        var current = request;
        for (var i = 0; ; i++)
        {
            var (transport, destination) = routes[i];
            try
            {
                var transaction = await StartAsync(current, transport, destination).ConfigureAwait(resume);
                var final = scheduler?.WaitAsync(transaction.FinalResponse, cancellationToken) ?? transaction.GetFinalResponseAsync(cancellationToken);
                return await final.ConfigureAwait(resume);
            }
            catch (SipTransportException e) when (i + 1 < routes.Count)
            {
                Logger.LogInformation("{Method} to {Destination} failed ({Error}); trying {Next}", request.Method, destination, e.Message, routes[i + 1].Destination);
                current = request.Clone();
                current.Headers.Remove(SipHeaderNames.Via);
            }
        }
    }

    /// <summary>
    /// Resolves the target, adds a Via (new branch, rport) unless the request has one, fills in
    /// Max-Forwards/Content-Length when missing, and starts the client transaction.
    /// </summary>
    public async Task<SipClientTransaction> StartRequestAsync(SipRequest request, SipSendOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (request.Method == SipMethods.Ack)
            throw new ArgumentException("ACK has no client transaction; use SendAckAsync.", nameof(request));
        CheckOutgoing(request);
        var resume = CallersExecutorScheduler is not null;
        var (transport, destination) = (await RouteAsync(request, options, cancellationToken).ConfigureAwait(resume))[0];
        return await StartAsync(request, transport, destination).ConfigureAwait(resume);
    }

    private Task<SipClientTransaction> StartAsync(SipRequest request, ISipTransport transport, SipEndPoint destination) =>
        _executor.InvokeAsync(() =>
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            PrepareOutgoing(request, transport);
            var key = TransactionTable.ClientKey(request.TopVia!.Branch!, request.Method);
            SipClientTransaction tx = request.Method == SipMethods.Invite
                ? new InviteClientTransaction(_host, request, transport, destination, key)
                : new NonInviteClientTransaction(_host, request, transport, destination, key);
            if (!_table.TryAddClient(tx))
                throw new InvalidOperationException($"A client transaction with branch {request.TopVia!.Branch} is already running.");
            tx.Start();
            return tx;
        });

    /// <summary>
    /// Cancels a pending INVITE (RFC 3261 §9.1): waits for a provisional response first, then sends
    /// CANCEL over the INVITE's transport. Returns the CANCEL's final response, or null when the
    /// INVITE got its final response before CANCEL could be sent.
    /// </summary>
    public async Task<SipResponse?> CancelAsync(SipClientTransaction invite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(invite);
        if (invite.Request.Method != SipMethods.Invite)
            throw new ArgumentException("Only INVITE can be cancelled.", nameof(invite));
        await Task.WhenAny(invite.ProvisionalReceived, invite.FinalResponse).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (invite.FinalResponse.IsCompleted)
            return null;
        var cancel = InviteTransactionRequests.Cancel(invite.Request);
        return await SendRequestAsync(cancel, new SipSendOptions(invite.Remote, invite.Transport), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends an ACK for a 2xx (a request without a transaction, RFC 3261 §13.2.2.4), routed like
    /// any request. A Via with a new branch is added unless present.
    /// </summary>
    public async Task SendAckAsync(SipRequest ack, SipSendOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ack);
        if (ack.Method != SipMethods.Ack)
            throw new ArgumentException("Not an ACK.", nameof(ack));
        CheckOutgoing(ack);
        var scheduler = CallersExecutorScheduler;
        var resume = scheduler is not null;
        var (transport, destination) = (await RouteAsync(ack, options, cancellationToken).ConfigureAwait(resume))[0];
        var sent = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var posted = _executor.Post(() =>
        {
            PrepareOutgoing(ack, transport);
            _host.Send(ack, transport, destination, e => sent.TrySetException(e));
            sent.TrySetResult(true);
        });
        if (!posted)
            throw new ObjectDisposedException(nameof(SipStack));
        // From session code, the wait completes on the executor (no thread-pool hop, as for responses).
        await (scheduler?.WaitAsync(sent.Task, cancellationToken) ?? sent.Task.WaitAsync(cancellationToken)).ConfigureAwait(resume);
    }

    /// <summary>
    /// A connection went away: transactions bound to it can never get their messages through, so
    /// they fail now with a transport error (RFC 3261 §17.1.4, §17.2.4) instead of waiting for timers.
    /// </summary>
    private void OnConnectionClosed(SipEndPoint endPoint, Exception? error) => _ = _executor.Post(() =>
    {
        foreach (var tx in _table.All())
        {
            if (tx.Transport.Kind.IsReliable() && tx.Remote.Kind == endPoint.Kind && tx.Remote.Address.Equals(endPoint.Address)
                && (endPoint.ConnectionId is null || tx.Remote.ConnectionId is null || tx.Remote.ConnectionId == endPoint.ConnectionId))
                tx.Abort(new SipTransportException($"Connection to {endPoint} closed{(error is null ? "" : ": " + error.Message)}", error));
        }
    });

    /// <summary>
    /// The caller's scheduler when it is code running on this stack's executor through one (the
    /// session layer); else null. The stack's awaits then resume there: a response or a started
    /// transaction reaches the session as one more queued work item, in order with everything else
    /// the executor runs, instead of first hopping through the thread pool, where it would be out of
    /// sight of both the executor's ordering and of tests that settle virtual time by draining it.
    /// Any other caller (an application's UI thread included) gets ConfigureAwait(false), as a
    /// library should.
    /// </summary>
    private SipExecutorScheduler? CallersExecutorScheduler =>
        SynchronizationContext.Current is null && TaskScheduler.Current is SipExecutorScheduler s && s.Executor == _executor ? s : null;

    /// <summary>Completes after all work queued so far ran (for tests in virtual time).</summary>
    internal Task DrainAsync() => _executor.DrainAsync();

    /// <summary>How many executor work items have run (for tests in virtual time: unchanged but for a drain means idle).</summary>
    internal long WorkItemsRun => _executor.ItemsRun;

    private static void CheckOutgoing(SipRequest request)
    {
        if (request.From is null || request.To is null || request.CallId is null || request.CSeq is null)
            throw new ArgumentException("A request needs From, To, Call-ID and CSeq (see SipRequestFactory).", nameof(request));
        if (request.CSeq.Method != request.Method)
            throw new ArgumentException($"CSeq method {request.CSeq.Method} differs from {request.Method}.", nameof(request));
    }

    private void PrepareOutgoing(SipRequest request, ISipTransport transport)
    {
        if (request.TopVia is null)
        {
            var local = transport.LocalHostPort;
            request.PushVia(new SipVia(transport.Kind.ViaToken(), local.Host, local.Port, SipIds.NewBranch()).WithParameter("rport", null));
        }
        request.MaxForwards ??= 70;
        if (!request.Headers.Contains(SipHeaderNames.ContentLength))
            request.Headers.Add(SipHeaderNames.ContentLength, request.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (Options.UserAgent is { } ua && !request.Headers.Contains(SipHeaderNames.UserAgent))
            request.Headers.Add(SipHeaderNames.UserAgent, ua);
    }

    /// <summary>The (transport, destination) pairs to try, in order; throws when there is none.</summary>
    private async Task<IReadOnlyList<(ISipTransport Transport, SipEndPoint Destination)>> RouteAsync(SipRequest request, SipSendOptions? options, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (options?.Destination is { } fixedDestination)
        {
            var fixedTransport = options.Transport ?? FindTransport(fixedDestination.Kind)
                ?? throw new SipTransportException($"No {fixedDestination.Kind.ViaToken()} transport to reach {fixedDestination}.");
            return [(fixedTransport, fixedDestination)];
        }
        // §8.1.2: the first Route if there is one, else the Request-URI.
        var target = request.Routes is [var first, ..] ? first.Uri : request.RequestUri;
        if (target is not SipUri sipTarget)
            throw new SipTransportException($"Cannot send to a {target.Scheme}: URI without a route to a SIP server.");
        var candidates = await _resolver.ResolveAsync(sipTarget, cancellationToken).ConfigureAwait(false);
        var routes = candidates
            .Select(c => (Transport: options?.Transport is { } t && t.Kind == c.Kind ? t : FindTransport(c.Kind), Destination: c))
            .Where(r => r.Transport is not null)
            .Select(r => (r.Transport!, r.Destination))
            .ToList();
        return routes.Count > 0
            ? routes
            : throw new SipTransportException($"No transport for {sipTarget} (resolved to {string.Join(", ", candidates)}).");
    }

    private ISipTransport? FindTransport(SipTransportKind kind) => _transports.Keys.FirstOrDefault(t => t.Kind == kind);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposeStarted, 1) != 0)
            return;
        await _executor.InvokeAsync(() =>
        {
            _disposed = true;
            foreach (var tx in _table.All())
                tx.Abort(new ObjectDisposedException(nameof(SipStack)));
            return true;
        }).ConfigureAwait(false);
        // A final response or ACK already sent by a transaction may still be on its way into a new
        // connection: a bot that rejects a call and exits at once must not lose the rejection.
        try
        {
            await Task.WhenAll(_sending.Keys).WaitAsync(SendsDrainBound).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Logger.LogWarning("Shutting down with {Count} SIP messages still being sent", _sending.Count);
        }
        foreach (var t in _transports.Keys)
        {
            t.FrameReceived -= OnFrameReceived;
            t.ConnectionClosed -= OnConnectionClosed;
            await t.DisposeAsync().ConfigureAwait(false);
        }
        _transports.Clear();
        await _executor.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The stack as the transactions see it.</summary>
    private sealed class Host(SipStack stack) : ITransactionHost
    {
        public TimeProvider Time => stack.Time;

        public SipTimerOptions Timers => stack.Options.Timers;

        public ILogger Logger => stack.Logger;

        public bool Post(Action action) => stack._executor.Post(action);

        public void OnTerminated(SipTransaction transaction) => stack._table.Remove(transaction);

        public void Send(SipMessage message, ISipTransport transport, SipEndPoint destination, Action<Exception>? onError) =>
            Send(SipSerializer.Serialize(message), transport, destination, onError);

        public void Send(byte[] bytes, ISipTransport transport, SipEndPoint destination, Action<Exception>? onError)
        {
            if (Logger.IsEnabled(LogLevel.Debug))
                Logger.LogDebug("SIP send to {Destination} ({Length} bytes):\n{Message}", destination, bytes.Length, TraceRedaction.ForTrace(bytes));
            ValueTask sending;
            try
            {
                sending = transport.SendAsync(destination, bytes);
            }
            catch (Exception e)
            {
                onError?.Invoke(Wrap(e, destination));
                return;
            }
            if (sending.IsCompletedSuccessfully)
                return;
            var observed = Observe(sending, destination, onError);
            stack._sending[observed] = true;
            // Inline when it already finished: nothing stays in the table.
            observed.ContinueWith(static (done, sends) => ((ConcurrentDictionary<Task, bool>)sends!).TryRemove(done, out _),
                stack._sending, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private async Task Observe(ValueTask sending, SipEndPoint destination, Action<Exception>? onError)
        {
            try
            {
                await sending.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                var error = Wrap(e, destination);
                Logger.LogWarning("SIP send to {Destination} failed: {Error}", destination, error.Message);
                if (onError is not null)
                    _ = Post(() => onError(error));
            }
        }

        private static SipTransportException Wrap(Exception e, SipEndPoint destination) =>
            e as SipTransportException ?? new SipTransportException($"Sending to {destination} failed: {e.Message}", e);
    }
}
