using System.Threading.Channels;
using Dialtone.Sip.Dialogs;
using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Transactions;
using Dialtone.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace Dialtone.Sip.Sessions;

/// <summary>
/// The session part of a user agent (SIP.js's UserAgent for Inviter/Invitation; pjsip's inv
/// module): creates outgoing sessions, turns each new INVITE into an <see cref="Invitation"/>,
/// routes in-dialog requests and stray 2xx to their session through one <see cref="SipDialogTable"/>.
/// Everything it holds is touched only on the stack's executor.
/// <para>Use it as the stack's transaction user, or behind another (SipUserAgent.Next).</para>
/// </summary>
public sealed partial class SessionAgent : ISipTransactionUser, IAsyncDisposable
{
    private readonly SipDialogTable _dialogs = new();
    private readonly Dictionary<(string CallId, string LocalTag), Inviter> _inviters = [];
    private readonly HashSet<Session> _sessions = [];
    private readonly Channel<Invitation> _incoming;
    private readonly ILogger _logger;
    private volatile bool _closed;

    public SessionAgent(SipStack stack, SessionAgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(options);
        options.SessionTimers.Validate();
        Stack = stack;
        Options = options;
        Contact = options.Contact;
        var supported = SessionHeaders.WithTag(options.Supported, SessionHeaders.ReplacesTag);
        if (options.SessionTimers.Enabled)
            supported = SessionHeaders.WithTag(supported, SessionHeaders.TimerTag);
        if (options.ReliableProvisionals)
            supported = SessionHeaders.WithTag(supported, SessionHeaders.ReliableTag);
        SupportedHeader = supported;
        AllowHeader = options.ReliableProvisionals ? SessionHeaders.WithTag(options.Allow, SipMethods.Prack) : options.Allow;
        Scheduler = new SessionScheduler(stack.Executor);
        _logger = options.LoggerFactory.CreateLogger<SessionAgent>();
        _incoming = Channel.CreateBounded<Invitation>(new BoundedChannelOptions(options.IncomingQueueLimit) { SingleReader = false, FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>
    /// The option tags a peer may put in Require of a request to this layer: give them to the
    /// stack (<c>SipStackOptions.SupportedExtensions</c>) so such requests are not refused 420.
    /// 100rel is among them: as callee we send reliable provisional responses (RFC 3262); an agent
    /// with <see cref="SessionAgentOptions.ReliableProvisionals"/> off refuses such an INVITE 420 itself.
    /// </summary>
    public static IReadOnlyList<string> RequirableExtensions { get; } = [SessionHeaders.TimerTag, SessionHeaders.ReplacesTag, SessionHeaders.ReliableTag];

    public SipStack Stack { get; }

    /// <summary>The Supported header of our INVITEs and 2xx: <see cref="SessionAgentOptions.Supported"/> plus what is on.</summary>
    public string SupportedHeader { get; }

    /// <summary>The Allow header of our INVITEs, 2xx and 405s: <see cref="SessionAgentOptions.Allow"/>, plus PRACK while reliable provisionals are on.</summary>
    public string AllowHeader { get; }

    public SessionAgentOptions Options { get; }

    /// <summary>
    /// Our Contact for new sessions and target refreshes. Change it when the flow changed (new
    /// connection after recovery), then <see cref="RefreshTargetsAsync"/> tells every peer.
    /// </summary>
    public SipAddress Contact { get; set; }

    /// <summary>
    /// Incoming sessions, ringing (180 sent), in arrival order: answer, reject or redirect each.
    /// The way to take calls without async-void event handlers; see also <see cref="SessionCreated"/>.
    /// </summary>
    public ChannelReader<Invitation> IncomingSessions => _incoming.Reader;

    /// <summary>
    /// Called on the executor for every session this agent creates (outgoing, incoming, and the
    /// outgoing one a REFER starts), before it sends or rings — for the layer above to attach to it
    /// (Dialtone.Phone makes its Call here). Must return at once and not throw.
    /// </summary>
    public Action<Session>? SessionCreated { get; set; }

    /// <summary>
    /// When set, each ringing incoming session goes to this hook (on the executor: return at once)
    /// instead of <see cref="IncomingSessions"/> — for a layer above with its own queue (Dialtone.Phone).
    /// </summary>
    public Action<Invitation>? IncomingRinging { get; set; }

    internal SessionScheduler Scheduler { get; }

    internal ILoggerFactory LoggerFactory => Options.LoggerFactory;

    /// <summary>Sessions that have not ended (a snapshot).</summary>
    public Task<IReadOnlyList<Session>> GetSessionsAsync() => Scheduler.RunAsync(() => Task.FromResult<IReadOnlyList<Session>>(_sessions.ToList()));

    /// <summary>
    /// A new outgoing session to <paramref name="target"/>; nothing is sent until <see cref="Inviter.Invite"/>.
    /// </summary>
    /// <exception cref="SessionMediaException">The media factory refused.</exception>
    public Inviter CreateInviter(UriReference target, SipAddress? to = null, object? mediaData = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ObjectDisposedException.ThrowIf(_closed, this);
        var media = Options.Media.Create(new SessionMediaRequest(SessionDirection.Outgoing, null, null, target) { CallerData = mediaData });
        var inviter = new Inviter(this, target, to ?? new SipAddress(target), media);
        SessionCreated?.Invoke(inviter);
        return inviter;
    }

    /// <summary>
    /// After the flow to the server was recovered: every established session sends a target refresh
    /// (re-INVITE with the current <see cref="Contact"/>, ICE restart when <paramref name="iceRestart"/>),
    /// so in-dialog requests reach us again. Failures end only the session that failed.
    /// </summary>
    public Task RefreshTargetsAsync(bool iceRestart = false, CancellationToken cancellationToken = default) =>
        Scheduler.RunAsync(async () =>
        {
            var refreshes = _sessions.Where(s => s.State is SessionState.Established or SessionState.OnHold)
                .Select(s => s.RefreshTargetQuietlyAsync(iceRestart, cancellationToken)).ToList();
            await Task.WhenAll(refreshes);
        });

    /// <summary>
    /// Ends every session at once and refuses new ones (BYE, CANCEL, or 603 for one still ringing), waiting at most
    /// <paramref name="timeout"/> for the peers: a peer that never answers does not hold us up.
    /// </summary>
    public async Task EndAllAsync(TimeSpan timeout)
    {
        _closed = true;
        IReadOnlyList<Session> sessions;
        try
        {
            sessions = await GetSessionsAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        using var bound = new CancellationTokenSource(timeout, Stack.Time);
        var ends = sessions.Select(s => s.TerminateAsync(bound.Token)).ToList();
        try
        {
            await Task.WhenAll(ends).WaitAsync(timeout, Stack.Time).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.EndAllIncomplete(_logger, e.Message);
        }
        // Whatever the peers did, every session is over for us now.
        await Task.WhenAll(sessions.Select(s => s.EndNowAsync(new SessionEnd(SessionEndReason.LocalHangup, Detail: "shut down")))).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await EndAllAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        _incoming.Writer.TryComplete();
    }

    // ---- on the executor ----

    internal void Track(Session session) => _sessions.Add(session);

    internal void TrackInviter(Inviter inviter, string callId, string localTag) => _inviters[(callId, localTag)] = inviter;

    internal void AddDialog(SipDialog dialog, Session session)
    {
        dialog.Owner = session;
        _dialogs.Add(dialog);
    }

    internal void RemoveDialog(SipDialog dialog) => _dialogs.Remove(dialog);

    internal void Forget(Session session)
    {
        _sessions.Remove(session);
        if (session is Inviter inviter && inviter.DialogKey is { } key)
            _inviters.Remove(key);
    }

    /// <summary>Contact, Allow and Supported for INVITEs, re-INVITEs and their 2xx.</summary>
    internal void AddCommonHeaders(SipMessage message)
    {
        if (!message.Headers.Contains(SipHeaderNames.Contact))
            message.Headers.Add(SipHeaderNames.Contact, Contact.ToString());
        message.Headers.Set(SipHeaderNames.Allow, AllowHeader);
        message.Headers.Set(SipHeaderNames.Supported, SupportedHeader);
    }

    void ISipTransactionUser.OnRequest(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        if (request.To?.Tag is not null)
        {
            if (_dialogs.FindForRequest(request)?.Owner is Session session)
                Scheduler.Start(() => session.OnInDialogRequestAsync(transaction));
            else
                Respond(transaction, transaction.CreateResponse(481));
            return;
        }
        if (request.Method != SipMethods.Invite)
        {
            var notAllowed = transaction.CreateResponse(405);
            notAllowed.Headers.Add(SipHeaderNames.Allow, AllowHeader);
            Respond(transaction, notAllowed);
            return;
        }
        if (_closed || request.From is null || request.To is null || request.CallId is null)
        {
            Respond(transaction, transaction.CreateResponse(480));
            return;
        }
        Scheduler.Start(() => AcceptInviteAsync(transaction));
    }

    private async Task AcceptInviteAsync(SipServerTransaction transaction)
    {
        if (!Options.ReliableProvisionals && SessionHeaders.Lists(transaction.Request, SipHeaderNames.Require, SessionHeaders.ReliableTag))
        {
            // RFC 3262 §3: a UAS unwilling to send provisional responses reliably refuses 420.
            var unsupported = transaction.CreateResponse(420);
            unsupported.Headers.Add(SipHeaderNames.Unsupported, SessionHeaders.ReliableTag);
            Respond(transaction, unsupported);
            return;
        }
        Session? replaced = null;
        if (transaction.Request.Headers[SessionHeaders.Replaces] is { } replaces)
        {
            var (refusal, session) = MatchReplaces(replaces);
            if (refusal is not null)
            {
                Respond(transaction, transaction.CreateResponse(refusal.Value.Status, refusal.Value.Reason));
                return;
            }
            replaced = session;
        }
        var invitation = Invitation.TryCreate(this, transaction);
        if (invitation is null)
            return; // answered 415/488 already
        invitation.Replaces = replaced;
        SessionCreated?.Invoke(invitation);
        if (!await invitation.StartAsync(ring: replaced is null))
            return;
        if (replaced is not null)
        {
            await ReplaceAsync(invitation, replaced);
            return;
        }
        if (IncomingRinging is { } hook)
        {
            hook(invitation);
            return;
        }
        if (!_incoming.Writer.TryWrite(invitation))
            await invitation.RejectQuietlyAsync(486);
    }

    /// <summary>
    /// RFC 3891 §3: the dialog an INVITE's Replaces names, matched as if the INVITE were inside it
    /// (to-tag = our tag, from-tag = the peer's). Only established sessions are replaced; an
    /// unknown or early dialog is refused 481, early-only for an established one 486.
    /// </summary>
    private ((int Status, string Reason)? Refusal, Session? Session) MatchReplaces(string value)
    {
        var parts = value.Split(';', StringSplitOptions.TrimEntries);
        string? toTag = null, fromTag = null;
        var earlyOnly = false;
        foreach (var parameter in parts.Skip(1))
        {
            var eq = parameter.IndexOf('=');
            var name = (eq < 0 ? parameter : parameter[..eq]).Trim().ToLowerInvariant();
            var text = eq < 0 ? "" : parameter[(eq + 1)..].Trim();
            switch (name)
            {
                case "to-tag":
                    toTag = text;
                    break;
                case "from-tag":
                    fromTag = text;
                    break;
                case "early-only":
                    earlyOnly = true;
                    break;
            }
        }
        if (parts[0].Length == 0 || string.IsNullOrEmpty(toTag) || string.IsNullOrEmpty(fromTag))
            return ((400, "Bad Request (malformed Replaces)"), null);
        if (_dialogs.Find(new SipDialogId(parts[0], toTag, fromTag))?.Owner is not Session session
            || session.State is not (SessionState.Established or SessionState.OnHold))
            return ((481, "Call/Transaction Does Not Exist (nothing to replace)"), null);
        if (earlyOnly)
            return ((486, "Busy Here (the dialog to replace is already established)"), null);
        return (null, session);
    }

    /// <summary>RFC 3891 §3: the replacing INVITE is answered without alerting anyone; then the old session ends with BYE.</summary>
    private async Task ReplaceAsync(Invitation invitation, Session replaced)
    {
        try
        {
            await invitation.AcceptAsync();
        }
        catch (Exception e) when (e is SessionEndedException or InvalidOperationException)
        {
            Log.ReplaceFailed(_logger, invitation.CallId, e.Message);
            return;
        }
        Log.Replaced(_logger, replaced.CallId, invitation.CallId);
        await replaced.EndReplacedAsync(invitation);
    }

    void ISipTransactionUser.OnStrayResponse(SipResponse response, SipEndPoint source)
    {
        // A 2xx to INVITE after its transaction ended (Timer M): our ACK was lost, or a late fork.
        if (!response.IsSuccess || response.CSeq?.Method != SipMethods.Invite || response.CallId is not { } callId || response.From?.Tag is not { } localTag)
            return;
        if (_dialogs.FindForResponse(response)?.Owner is Session session)
            Scheduler.Start(() => session.OnStraySuccessAsync(response));
        else if (_inviters.TryGetValue((callId, localTag), out var inviter))
            Scheduler.Start(() => inviter.OnLateForkAsync(response));
    }

    internal void Respond(SipServerTransaction transaction, SipResponse response) =>
        transaction.SendResponseAsync(response).ContinueWith(
            t => Log.ResponseFailed(_logger, response.StatusCode, transaction.Request.Method, t.Exception!.GetBaseException().Message),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "could not send {Status} to {Method}: {Error}")]
        public static partial void ResponseFailed(ILogger logger, int status, string method, string error);

        [LoggerMessage(Level = LogLevel.Information, Message = "session {Old} replaced by {New} (RFC 3891)")]
        public static partial void Replaced(ILogger logger, string old, string @new);

        [LoggerMessage(Level = LogLevel.Information, Message = "session {CallId}: the replacing INVITE could not be answered: {Error}")]
        public static partial void ReplaceFailed(ILogger logger, string callId, string error);

        [LoggerMessage(Level = LogLevel.Information, Message = "ending all sessions did not complete in time: {Error}")]
        public static partial void EndAllIncomplete(ILogger logger, string error);
    }
}
