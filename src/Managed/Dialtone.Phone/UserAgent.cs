using System.Collections.Concurrent;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Dialogs;
using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Transactions;
using Dialtone.Sip.Transport;
using Dialtone.Sip.UserAgent;
using Dialtone.WebRtc;
using Microsoft.Extensions.Logging;

namespace Dialtone.Phone;

/// <summary>
/// A softphone: one SIP identity on one server, placing and receiving calls whose media is
/// libwebrtc. Like JsSIP's UA: <see cref="StartAsync"/> connects, <see cref="RegisterAsync"/>
/// makes us reachable, <see cref="CallAsync"/> dials, <see cref="IncomingCall"/> rings.
/// </summary>
public sealed partial class UserAgent : IAsyncDisposable
{
    /// <summary>The methods we handle, for Allow headers.</summary>
    public const string AllowedMethods = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY, MESSAGE";

    private readonly ConcurrentDictionary<SipDialogId, Call> _callsByDialog = new();
    private readonly ConcurrentDictionary<Call, byte> _calls = new();
    private readonly ILogger _logger;
    private readonly EventQueue _events;
    private readonly SipUserAgent _outOfDialog;
    private readonly Lock _registererLock = new();
    private Registerer? _registerer;
    private int _disposed;

    private UserAgent(UserAgentOptions options, SipConnection connection, PeerConnectionFactory mediaFactory)
    {
        Options = options;
        Connection = connection;
        MediaFactory = mediaFactory;
        LoggerFactory = options.LoggerFactory;
        _logger = LoggerFactory.CreateLogger<UserAgent>();
        _events = new EventQueue(e => Log.HandlerFailed(_logger, e));
        Digest = options.Credentials is { } credentials ? new SipDigestClient(credentials, LoggerFactory.CreateLogger<SipDigestClient>()) : null;
        Contact = connection.ContactFor(options.AddressOfRecord.User!);
        // OPTIONS and MESSAGE outside dialogs are the SIP layer's; calls and in-dialog requests ours.
        _outOfDialog = new SipUserAgent(connection.Stack, new SipUserAgentOptions
        {
            AddressOfRecord = options.AddressOfRecord,
            DisplayName = options.DisplayName,
            Credentials = options.Credentials,
            OutboundProxy = connection.OutboundProxy,
            Transport = connection.Transport,
            Allow = AllowedMethods.Split(", "),
            Accept = ["application/sdp", "text/plain"],
        }, LoggerFactory.CreateLogger<SipUserAgent>())
        {
            Next = new TransactionUser(this),
        };
        _outOfDialog.MessageReceived += (_, message) => Raise(MessageReceived, message);
    }

    /// <summary>Connects to the server and prepares the audio engine. Does not register: call <see cref="RegisterAsync"/>.</summary>
    public static async Task<UserAgent> StartAsync(UserAgentOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var mediaFactory = new PeerConnectionFactory(options.Audio);
        try
        {
            var connection = await SipConnection.OpenAsync(options, cancellationToken).ConfigureAwait(false);
            return new UserAgent(options, connection, mediaFactory);
        }
        catch
        {
            mediaFactory.Dispose();
            throw;
        }
    }

    public UserAgentOptions Options { get; }

    /// <summary>Our address of record and display name, as the From of our calls.</summary>
    public SipAddress Identity => Options.Identity;

    /// <summary>The audio engine of every call: its virtual device carries what we say and hear.</summary>
    public PeerConnectionFactory MediaFactory { get; }

    /// <summary>Calls that have not ended.</summary>
    public IReadOnlyCollection<Call> Calls => _calls.Keys.ToList();

    /// <summary>Where our registration stands (Unregistered until <see cref="RegisterAsync"/>).</summary>
    public RegistrationState RegistrationState => _registerer?.State ?? RegistrationState.Unregistered;

    /// <summary>An incoming call is ringing: answer or reject <see cref="IncomingCallEventArgs.Call"/>. Raised on a thread-pool thread.</summary>
    public event EventHandler<IncomingCallEventArgs>? IncomingCall;

    /// <summary>
    /// Our registration changed: registered, refreshed, refused, or <see cref="RegistrationState.Recovering"/>
    /// when the connection to the server was lost — the user agent then reconnects and registers again
    /// by itself (RFC 5626 flow recovery, backoff from <see cref="UserAgentOptions.ReconnectBaseDelay"/>).
    /// </summary>
    public event EventHandler<RegistrationStateChangedEventArgs>? RegistrationStateChanged;

    /// <summary>A MESSAGE (RFC 3428) arrived outside any call; it was already answered 200.</summary>
    public event EventHandler<SipTextMessage>? MessageReceived;

    internal SipConnection Connection { get; }

    internal SipStack Stack => Connection.Stack;

    internal SipDigestClient? Digest { get; }

    internal SipAddress Contact { get; }

    internal ILoggerFactory LoggerFactory { get; }

    /// <summary>
    /// Registers our contact with the server (digest challenges answered, 423 handled), keeps it
    /// refreshed, and recovers it after a lost connection (RFC 5626 outbound).
    /// </summary>
    /// <exception cref="SipAuthenticationException">The server rejected our credentials.</exception>
    /// <exception cref="SipRequestFailedException">The server refused the registration.</exception>
    public async Task RegisterAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await Registerer().RegisterAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes our registration (REGISTER with Expires: 0).</summary>
    public async Task UnregisterAsync(CancellationToken cancellationToken = default)
    {
        if (_registerer is { } registerer)
            await registerer.UnregisterAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a text message (RFC 3428 MESSAGE) to <paramref name="to"/>; returns when the peer accepted it.</summary>
    /// <exception cref="SipRequestFailedException">The message was refused.</exception>
    public Task SendMessageAsync(SipUri to, string text, CancellationToken cancellationToken = default) =>
        _outOfDialog.SendMessageAsync(to, text, cancellationToken: cancellationToken);

    private Registerer Registerer()
    {
        lock (_registererLock)
        {
            if (_registerer is not null)
                return _registerer;
            _registerer = new Registerer(Stack, new RegistererOptions
            {
                AddressOfRecord = Options.AddressOfRecord,
                OutboundProxy = Connection.OutboundProxy,
                Transport = Connection.Transport,
                Credentials = Options.Credentials,
                Expires = Options.RegisterExpires,
                InstanceId = Options.InstanceId ?? Guid.NewGuid(),
                FlowRecoveryBaseDelay = Options.ReconnectBaseDelay,
                FlowRecoveryMaxDelay = Options.ReconnectMaxDelay,
            }, LoggerFactory.CreateLogger<Registerer>());
            _registerer.StateChanged += (_, e) => Raise(RegistrationStateChanged, e);
            return _registerer;
        }
    }

    /// <summary>
    /// Calls <paramref name="target"/> (e.g. <c>sip:bob@example.com</c>). Returns at once with the call
    /// in <see cref="CallState.Calling"/>; await <see cref="Call.Established"/> or watch its events.
    /// </summary>
    public Task<Call> CallAsync(UriReference target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        var call = new Call(this, CallDirection.Outgoing, SipIds.NewCallId(), Identity, new SipAddress(target), CallState.Calling);
        _calls[call] = 0;
        _ = call.RunOutgoingAsync(target);
        return Task.FromResult(call);
    }

    /// <summary>Parses <paramref name="target"/> as a SIP URI and calls it.</summary>
    public Task<Call> CallAsync(string target, CancellationToken cancellationToken = default) =>
        CallAsync(UriReference.Parse(target), cancellationToken);

    internal void Track(Call call, SipDialog dialog) => _callsByDialog[dialog.Id] = call;

    internal void Forget(Call call)
    {
        _calls.TryRemove(call, out _);
        foreach (var (id, tracked) in _callsByDialog)
        {
            if (ReferenceEquals(tracked, call))
                _callsByDialog.TryRemove(id, out _);
        }
    }

    /// <summary>Contact, Allow and Supported for INVITEs, re-INVITEs and their 2xx.</summary>
    internal void AddCommonHeaders(SipMessage message)
    {
        if (!message.Headers.Contains(SipHeaderNames.Contact))
            message.Headers.Add(SipHeaderNames.Contact, Contact.ToString());
        message.Headers.Set(SipHeaderNames.Allow, AllowedMethods);
        message.Headers.Set(SipHeaderNames.Supported, "outbound, replaces");
    }

    /// <summary>Hangs up every call, unregisters, closes the connection and the audio engine. Never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        // Hang up every call at once: each may wait seconds for its BYE or CANCEL.
        await Quietly("hanging up", () => Task.WhenAll(Calls.Select(call => call.DisposeAsync().AsTask()))).ConfigureAwait(false);
        if (_registerer is { } registerer)
            await Quietly("unregistering", () => registerer.DisposeAsync().AsTask()).ConfigureAwait(false);
        await Quietly("closing the connection", () => Connection.DisposeAsync().AsTask()).ConfigureAwait(false);
        MediaFactory.Dispose();
    }

    /// <summary>One step of disposal: a failure is logged, and the next steps still run.</summary>
    private async Task Quietly(string step, Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.DisposeStepFailed(_logger, step, e.Message);
        }
    }

    private void OnNewRequest(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        if (request.To?.Tag is not null)
        {
            if (SipDialogId.ForIncomingRequest(request) is { } id && _callsByDialog.TryGetValue(id, out var call))
                _ = call.OnInDialogRequestAsync(transaction);
            else
                Respond(transaction, 481);
            return;
        }
        switch (request.Method)
        {
            case SipMethods.Invite:
                _ = AcceptIncomingCallAsync(transaction);
                break;
            default:
                var notAllowed = transaction.CreateResponse(405);
                notAllowed.Headers.Add(SipHeaderNames.Allow, AllowedMethods);
                _ = transaction.SendResponseAsync(notAllowed);
                break;
        }
    }

    private async Task AcceptIncomingCallAsync(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        if (_disposed != 0 || request.From is null || request.To is null || request.CallId is null)
        {
            Respond(transaction, 480);
            return;
        }
        var call = new Call(this, CallDirection.Incoming, request.CallId, request.To.WithTag(transaction.LocalTag), request.From, CallState.Ringing);
        _calls[call] = 0;
        try
        {
            if (!await call.StartIncomingAsync(transaction).ConfigureAwait(false))
            {
                Log.IncomingRefused(_logger, request.From.ToString(), (await call.Ended.ConfigureAwait(false)).ToString());
                return;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or SipTransportException or OperationCanceledException)
        {
            call.Finish(new CallEnd(CallEndReason.Failed, Detail: e.Message));
            return;
        }
        var handler = IncomingCall;
        if (handler is null)
        {
            await call.RejectAsync(480).ConfigureAwait(false);
            return;
        }
        Raise(handler, new IncomingCallEventArgs(call));
    }

    private void Raise<T>(EventHandler<T>? handler, T args) => _events.Raise(this, handler, args);

    private void OnStrayResponse(SipResponse response)
    {
        // A 2xx retransmitted after the INVITE transaction ended: the caller's ACK was lost; ACK again.
        if (response.IsSuccess && response.CSeq?.Method == SipMethods.Invite
            && SipDialogId.ForResponse(response) is { } id && _callsByDialog.TryGetValue(id, out var call))
            _ = call.AcknowledgeStraySuccessAsync(response);
    }

    private static void Respond(SipServerTransaction transaction, int status) =>
        _ = transaction.SendResponseAsync(transaction.CreateResponse(status));

    /// <summary>Keeps the stack's callbacks off the public surface.</summary>
    private sealed class TransactionUser(UserAgent owner) : ISipTransactionUser
    {
        public void OnRequest(SipServerTransaction transaction) => owner.OnNewRequest(transaction);

        public void OnStrayResponse(SipResponse response, SipEndPoint source) => owner.OnStrayResponse(response);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "refused an incoming call from {From}: {End}")]
        public static partial void IncomingRefused(ILogger logger, string from, string end);

        [LoggerMessage(Level = LogLevel.Debug, Message = "while disposing, {Step} failed: {Error}")]
        public static partial void DisposeStepFailed(ILogger logger, string step, string error);

        [LoggerMessage(Level = LogLevel.Warning, Message = "an event handler threw")]
        public static partial void HandlerFailed(ILogger logger, Exception e);
    }
}

public sealed class IncomingCallEventArgs(Call call) : EventArgs
{
    public Call Call { get; } = call;
}
