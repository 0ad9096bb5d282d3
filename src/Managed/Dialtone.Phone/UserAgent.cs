using System.Collections.Concurrent;
using System.Threading.Channels;
using Dialtone.Phone.Media;
using Dialtone.Phone.Media.Legacy;
using Dialtone.Sip.Sdp;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Events;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sessions;
using Dialtone.Sip.Stack;
using Dialtone.Sip.UserAgent;
using Dialtone.WebRtc;
using Microsoft.Extensions.Logging;

namespace Dialtone.Phone;

/// <summary>
/// A softphone: one SIP identity on one server, placing and receiving calls whose media is
/// libwebrtc. Like JsSIP's UA: <see cref="StartAsync"/> connects, <see cref="RegisterAsync"/>
/// makes us reachable, <see cref="CallAsync(UriReference, CancellationToken)"/> dials,
/// <see cref="IncomingCalls"/> (or <see cref="IncomingCall"/>) rings. The SIP work is
/// Dialtone.Sip's: a <see cref="SessionAgent"/> runs every call's session; this class joins
/// each session to its media and keeps the registration.
/// </summary>
public sealed partial class UserAgent : IAsyncDisposable
{
    /// <summary>The methods we handle, for Allow headers.</summary>
    public const string AllowedMethods = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY, MESSAGE";

    private readonly ConcurrentDictionary<Session, Call> _calls = new();
    private readonly Channel<Call> _incoming = Channel.CreateUnbounded<Call>(new UnboundedChannelOptions { SingleReader = false });
    private readonly ILogger _logger;
    private readonly OrderedEventQueue _events;
    private readonly SipUserAgent _outOfDialog;
    private readonly SessionAgent _sessions;
    private SipAddress _baseContact;
    private readonly Lock _registererLock = new();
    private Registerer? _registerer;
    private volatile bool _incomingCallsRead;
    private bool _recovering;
    private int _disposed;

    private UserAgent(UserAgentOptions options, SipConnection connection, PeerConnectionFactory mediaFactory)
    {
        Options = options;
        Connection = connection;
        MediaFactory = mediaFactory;
        LoggerFactory = options.LoggerFactory;
        _logger = LoggerFactory.CreateLogger<UserAgent>();
        _events = new OrderedEventQueue(_logger, "user agent");
        var digest = options.Credentials is { } credentials ? new SipDigestClient(credentials, LoggerFactory.CreateLogger<SipDigestClient>()) : null;
        _baseContact = connection.ContactFor(options.AddressOfRecord.User!);
        _sessions = new SessionAgent(connection.Stack, new SessionAgentOptions
        {
            Identity = options.Identity,
            Contact = _baseContact,
            Media = CreateMediaChoice(options, mediaFactory, connection),
            SendOptions = connection.SendOptions,
            Digest = digest,
            Allow = AllowedMethods,
            NoAnswerTimeout = options.NoAnswerTimeout,
            SessionTimers = options.SessionTimers,
            ReliableProvisionals = options.ReliableProvisionals,
            LoggerFactory = LoggerFactory,
        })
        {
            SessionCreated = Track,
            IncomingRinging = OnIncomingRinging,
        };
        // OPTIONS and MESSAGE outside dialogs are the SIP layer's user agent; sessions the session agent's.
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
            Next = _sessions,
        };
        _outOfDialog.MessageReceived += (_, message) => _events.Raise(this, MessageReceived, message);
        StartFollowingNetwork();
    }

    /// <summary>Connects to the server and prepares the audio engine. Does not register: call <see cref="RegisterAsync"/>.</summary>
    public static async Task<UserAgent> StartAsync(UserAgentOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        // Peer connection event handlers that throw are logged where the rest of the user agent logs.
        var factoryOptions = options.Audio.LoggerFactory is null ? options.Audio with { LoggerFactory = options.LoggerFactory } : options.Audio;
        if (options.TurnTlsTrustedCertificates is { } turnCas)
        {
            factoryOptions = factoryOptions with { TlsTrustedCertificates = turnCas };
        }

        var mediaFactory = new PeerConnectionFactory(factoryOptions);
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
    public IReadOnlyCollection<Call> Calls => _calls.Values.Where(c => c.State != CallState.Ended).ToList();

    /// <summary>Where our registration stands (Unregistered until <see cref="RegisterAsync"/>).</summary>
    public RegistrationState RegistrationState => _registerer?.State ?? RegistrationState.Unregistered;

    /// <summary>
    /// Incoming calls, ringing, in arrival order — the way to take calls without an async-void
    /// handler: <c>await foreach (var call in ua.IncomingCalls.ReadAllAsync(ct)) { ... }</c>.
    /// Once this is read, calls are queued here; before that, <see cref="IncomingCall"/> gets them,
    /// and with neither they are answered 480.
    /// </summary>
    public ChannelReader<Call> IncomingCalls
    {
        get
        {
            _incomingCallsRead = true;
            return _incoming.Reader;
        }
    }

    /// <summary>
    /// An incoming call is ringing: answer or reject <see cref="IncomingCallEventArgs.Call"/>. Raised on a
    /// thread-pool thread. An <c>async</c> handler is safe: if it throws (e.g. <see cref="CallFailedException"/>
    /// when the caller cancels during <see cref="Call.AnswerAsync"/>), the failure is logged, not fatal.
    /// </summary>
    public event EventHandler<IncomingCallEventArgs>? IncomingCall;

    /// <summary>
    /// Our registration changed: registered, refreshed, refused, or <see cref="RegistrationState.Recovering"/>
    /// when the connection to the server was lost — the user agent then reconnects and registers again
    /// by itself (RFC 5626 flow recovery), and every call then refreshes its target (re-INVITE with
    /// the new Contact) so in-dialog requests reach it again.
    /// </summary>
    public event EventHandler<RegistrationStateChangedEventArgs>? RegistrationStateChanged;

    /// <summary>A MESSAGE (RFC 3428) arrived outside any call; it was already answered 200.</summary>
    public event EventHandler<SipTextMessage>? MessageReceived;

    internal SipConnection Connection { get; }

    internal SipStack Stack => Connection.Stack;

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
        var registerer = Registerer();
        await registerer.RegisterAsync(cancellationToken).ConfigureAwait(false);
        _sessions.Contact = DialogContact(registerer);
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
                UnregisterTimeout = ShutdownTimeout,
            }, LoggerFactory.CreateLogger<Registerer>());
            _registerer.StateChanged += OnRegistrationStateChanged;
            return _registerer;
        }
    }

    /// <summary>
    /// Our Contact in dialogs: the public GRUU when the registrar assigned one, else the registerer's
    /// (with <c>ob</c> when the registrar confirmed outbound), in our connection's URI form.
    /// </summary>
    private SipAddress DialogContact(Registerer registerer) =>
        registerer.PublicGruu is { } gruu ? new SipAddress(gruu) :   // RFC 5627 §4.3: routable across flow changes
        registerer.DialogContact.Uri is SipUri { } uri && uri.Parameters.Contains("ob") && _baseContact.Uri is SipUri baseUri
            ? new SipAddress(baseUri.WithParameter("ob"))
            : _baseContact;

    private void OnRegistrationStateChanged(object? sender, RegistrationStateChangedEventArgs e)
    {
        _events.Raise(this, RegistrationStateChanged, e);
        var registerer = (Registerer)sender!;
        if (e.State == RegistrationState.Recovering)
        {
            _recovering = true;
        }
        else if (e.State == RegistrationState.Registered && _recovering)
        {
            // RFC 5626 flow recovery done: tell every surviving call's peer how to reach us now.
            _recovering = false;
            _sessions.Contact = DialogContact(registerer);
            _ = RefreshCallsAsync();
        }
    }

    private async Task RefreshCallsAsync()
    {
        try
        {
            await RefreshTargetsAfterRecoveryAsync().ConfigureAwait(false);   // UserAgent.NetworkChange.cs
        }
        catch (Exception e)
        {
            Log.RefreshFailed(_logger, e.Message);
        }
    }

    /// <summary>
    /// Calls <paramref name="target"/> (e.g. <c>sip:bob@example.com</c>). Returns at once with the call
    /// in <see cref="CallState.Calling"/>; await <see cref="Call.Established"/> or watch its events.
    /// <paramref name="cancellationToken"/> cancels the attempt until it is answered (CANCEL once the
    /// callee's first provisional response came; nothing sent if the INVITE has not left yet).
    /// </summary>
    public Task<Call> CallAsync(UriReference target, CancellationToken cancellationToken = default) =>
        PlaceCallAsync(target, media: null, cancellationToken);

    /// <param name="media">A per-call media choice for the media factory (<see cref="OutgoingMediaChoice"/>), or null for the account's.</param>
    /// <param name="lateOffer">An INVITE without SDP (<see cref="CallOptions.LateOffer"/>).</param>
    private Task<Call> PlaceCallAsync(UriReference target, MediaProfile? media, CancellationToken cancellationToken, bool lateOffer = false)
    {
        ArgumentNullException.ThrowIfNull(target);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        var inviter = _sessions.CreateInviter(target, mediaData: media);
        inviter.LateOffer = lateOffer;
        var call = _calls[inviter];
        inviter.Invite(cancellationToken);
        return Task.FromResult(call);
    }

    /// <summary>Parses <paramref name="target"/> as a SIP URI and calls it.</summary>
    public Task<Call> CallAsync(string target, CancellationToken cancellationToken = default) =>
        CallAsync(UriReference.Parse(target), cancellationToken);

    private Call? CallOf(Session session) => _calls.GetValueOrDefault(session);

    /// <summary>
    /// A new session's call, known to this user agent until its media is released: after that it is the
    /// application's alone (a process taking calls for days would otherwise keep every call it ever had —
    /// measured ~55 KB of managed heap per ended call).
    /// </summary>
    private void Track(Session session)
    {
        _calls[session] = new Call(session, LoggerFactory, CallOf);
        session.MediaReleased.ContinueWith(_ => _calls.TryRemove(session, out Call? _), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>On the SIP executor: a new incoming call rings. Queue it, raise it, or refuse it — never block.</summary>
    private void OnIncomingRinging(Invitation invitation)
    {
        var call = _calls[invitation];
        if (_incomingCallsRead && _incoming.Writer.TryWrite(call))
            return;
        var handler = IncomingCall;
        if (handler is null)
        {
            _ = invitation.RejectAsync(480).ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            return;
        }
        _events.Raise(this, handler, new IncomingCallEventArgs(call));
    }

    /// <summary>How long <see cref="DisposeAsync"/> waits for peers (BYE answers, the un-REGISTER).</summary>
    public static TimeSpan ShutdownTimeout { get; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Hangs up every call and unregisters — in parallel, bounded by <paramref name="timeout"/>
    /// (<see cref="ShutdownTimeout"/> by default) even when a peer never answers — then closes the
    /// connection, once what was already sent (a rejection, a BYE) has left or
    /// <see cref="Dialtone.Sip.Stack.SipStack.SendsDrainBound"/> passed, and the audio engine. Never
    /// throws; <see cref="DisposeAsync"/> does the same.
    /// </summary>
    public async Task ShutdownAsync(TimeSpan? timeout = null)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        StopFollowingNetwork();
        var bound = timeout ?? ShutdownTimeout;
        var hangups = Quietly("hanging up", () => _sessions.EndAllAsync(bound));
        var unregister = _registerer is { } registerer
            ? Quietly("unregistering", () => registerer.DisposeAsync().AsTask().WaitAsync(bound + TimeSpan.FromMilliseconds(500)))
            : Task.CompletedTask;
        await Task.WhenAll(hangups, unregister).ConfigureAwait(false);
        _incoming.Writer.TryComplete();
        await Quietly("closing the connection", () => Connection.DisposeAsync().AsTask()).ConfigureAwait(false);
        foreach (var call in _calls.Values)
            await Quietly("releasing media", () => call.Session.Ended.WaitAsync(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
        MediaFactory.Dispose();
    }

    /// <summary>Hangs up every call, unregisters, closes the connection and the audio engine (<see cref="ShutdownAsync"/>). Never throws.</summary>
    public async ValueTask DisposeAsync() => await ShutdownAsync().ConfigureAwait(false);

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

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "while disposing, {Step} failed: {Error}")]
        public static partial void DisposeStepFailed(ILogger logger, string step, string error);

        [LoggerMessage(Level = LogLevel.Warning, Message = "refreshing calls after flow recovery failed: {Error}")]
        public static partial void RefreshFailed(ILogger logger, string error);
    }
}

public sealed class IncomingCallEventArgs(Call call) : EventArgs
{
    public Call Call { get; } = call;
}
