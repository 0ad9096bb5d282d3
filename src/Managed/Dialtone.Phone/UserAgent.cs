using System.Collections.Concurrent;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Dialogs;
using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Transactions;
using Dialtone.Sip.Transport;
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
    private readonly ConnectionKeeper _keeper;
    private readonly EventQueue _events;
    private Registration? _registration;
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
        connection.Stack.TransactionUser = new TransactionUser(this);
        _keeper = new ConnectionKeeper(this);
        _keeper.FlowChanged += (connected, error) => Raise(ConnectionChanged, new ConnectionChangedEventArgs(connected, error));
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

    /// <summary>Whether a registration is in force.</summary>
    public bool IsRegistered => _registration?.IsRegistered == true;

    /// <summary>An incoming call is ringing: answer or reject <see cref="IncomingCallEventArgs.Call"/>. Raised on a thread-pool thread.</summary>
    public event EventHandler<IncomingCallEventArgs>? IncomingCall;

    /// <summary>
    /// The connection to the server was lost (<see cref="ConnectionChangedEventArgs.Connected"/> false;
    /// the user agent reconnects and registers again by itself) or is back (true).
    /// </summary>
    public event EventHandler<ConnectionChangedEventArgs>? ConnectionChanged;

    /// <summary>True once <see cref="RegisterAsync"/> was asked for and not undone by <see cref="UnregisterAsync"/>.</summary>
    internal bool WantsRegistration { get; private set; }

    internal SipConnection Connection { get; }

    internal SipStack Stack => Connection.Stack;

    internal SipDigestClient? Digest { get; }

    internal SipAddress Contact { get; }

    internal ILoggerFactory LoggerFactory { get; }

    /// <summary>Registers our contact with the server (digest authentication answered) and keeps it refreshed.</summary>
    /// <exception cref="SipAuthenticationException">The server rejected our credentials.</exception>
    /// <exception cref="SipRegistrationException">The server refused the registration.</exception>
    public async Task RegisterAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _registration ??= new Registration(this);
        WantsRegistration = true;
        await _registration.RegisterAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes our registration (REGISTER with Expires: 0).</summary>
    public async Task UnregisterAsync(CancellationToken cancellationToken = default)
    {
        WantsRegistration = false;
        if (_registration is { } registration)
            await registration.UnregisterAsync(cancellationToken).ConfigureAwait(false);
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

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _keeper.Dispose();
        foreach (var call in Calls)
            await call.DisposeAsync().ConfigureAwait(false);
        if (_registration is { } registration)
            await registration.DisposeAsync().ConfigureAwait(false);
        await Connection.DisposeAsync().ConfigureAwait(false);
        MediaFactory.Dispose();
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
            case SipMethods.Options:
                var ok = transaction.CreateResponse(200);
                AddCommonHeaders(ok);
                ok.Headers.Add(SipHeaderNames.Accept, "application/sdp");
                _ = transaction.SendResponseAsync(ok);
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

        [LoggerMessage(Level = LogLevel.Warning, Message = "an event handler threw")]
        public static partial void HandlerFailed(ILogger logger, Exception e);
    }
}

public sealed class IncomingCallEventArgs(Call call) : EventArgs
{
    public Call Call { get; } = call;
}

public sealed class ConnectionChangedEventArgs(bool connected, Exception? error) : EventArgs
{
    /// <summary>False: the flow to the server was lost and is being recovered. True: it is back and registered.</summary>
    public bool Connected { get; } = connected;

    public Exception? Error { get; } = error;
}
