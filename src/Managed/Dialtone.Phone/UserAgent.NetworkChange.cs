using System.Net;
using Dialtone.Phone.Network;
using Dialtone.Sip.Sessions;
using Dialtone.Sip.Transport;
using Dialtone.Sip.UserAgent;
using Microsoft.Extensions.Logging;

namespace Dialtone.Phone;

/// <summary>
/// Following a network change (Wi-Fi to a hotspot, a new DHCP lease): when the address our packets
/// to the server leave from changes, the SIP flow moves to the new address (UDP rebinds, TCP/TLS
/// reconnects, a WebSocket reconnects), we register again at once (same instance id and reg-id,
/// RFC 5626), and every established call re-INVITEs with an ICE restart so media finds its new
/// path. A call still ringing cannot follow — the responses to its INVITE go to the old address —
/// so it ends with a clear reason instead of hanging.
/// </summary>
public sealed partial class UserAgent
{
    /// <summary>How long a ringing call that the network change cut off may take to end by its CANCEL or reject.</summary>
    private static readonly TimeSpan RingingEndBound = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _networkChangeOne = new(1, 1);
    private NetworkChangeMonitor? _networkMonitor;
    private IPAddress? _flowAddress;
    private int _iceRestartPending;

    /// <summary>
    /// The user agent moved its SIP flow to a new local address after a network change (raised on a
    /// thread-pool thread, once the flow was renewed; registration and the calls' ICE restarts follow).
    /// </summary>
    public event EventHandler<FlowMovedEventArgs>? FlowMoved;

    /// <summary>Called by the constructor: watch the network when <see cref="UserAgentOptions.FollowNetworkChanges"/>.</summary>
    private void StartFollowingNetwork()
    {
        if (!Options.FollowNetworkChanges)
            return;
        _flowAddress = Connection.CurrentLocalAddress();
        _networkMonitor = new NetworkChangeMonitor(timeProvider: Options.TimeProvider);
        _networkMonitor.Changed += (_, _) => _ = FollowNetworkChangeAsync();
    }

    private void StopFollowingNetwork() => _networkMonitor?.Dispose();

    /// <summary>
    /// After flow recovery: every call tells its peer our new Contact (re-INVITE); after a network
    /// change the same re-INVITE restarts ICE, and calls whose new offer found no candidate restart again.
    /// </summary>
    private async Task RefreshTargetsAfterRecoveryAsync()
    {
        var iceRestart = Interlocked.Exchange(ref _iceRestartPending, 0) != 0;
        await RefreshEveryCallAsync(iceRestart).ConfigureAwait(false);   // UserAgent.Recovery.cs: retried per call
        if (iceRestart)
            await RestartIceUntilMediaFlowsAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// libwebrtc is told of the change (<see cref="Dialtone.WebRtc.PeerConnectionFactory.NotifyNetworkChanged"/>), so
    /// the first restart normally gathers on the new address; should it not have (an address that
    /// came up late), the call would stay silent until the next restart. So each established call
    /// (not on hold) restarts ICE again every
    /// <see cref="GatherRetryInterval"/> until its offer carries a candidate on our new address
    /// (unless it is relay-only: relay candidates do not show it), then again every
    /// <see cref="MediaCheckInterval"/> while no audio arrives — bounded by <see cref="IceRestartRetries"/>.
    /// </summary>
    private async Task RestartIceUntilMediaFlowsAsync()
    {
        var address = _flowAddress;
        var calls = _calls.Values.Where(c => c.State == CallState.Established && c.LegacyMedia is null).ToList();
        await Task.WhenAll(calls.Select(c => RestartIceUntilMediaFlowsAsync(c, address))).ConfigureAwait(false);
    }

    private async Task RestartIceUntilMediaFlowsAsync(Call call, IPAddress? address)
    {
        var relayOnly = Options.Media.PeerConnection.IceTransportPolicy == Dialtone.WebRtc.IceTransportPolicy.Relay;
        try
        {
            for (var attempt = 1; attempt <= IceRestartRetries && _disposed == 0; attempt++)
            {
                if (call.State != CallState.Established)
                    return;
                if (relayOnly || address is null || GatheredOn(call, address))
                {
                    var before = await PacketsReceivedAsync(call).ConfigureAwait(false);
                    await Task.Delay(MediaCheckInterval, Options.TimeProvider).ConfigureAwait(false);
                    if (call.State != CallState.Established || await PacketsReceivedAsync(call).ConfigureAwait(false) > before)
                        return;
                    Log.IceRestartAgain(_logger, call.CallId, "no audio since the ICE restart", attempt);
                }
                else
                {
                    await Task.Delay(GatherRetryInterval, Options.TimeProvider).ConfigureAwait(false);
                    Log.IceRestartAgain(_logger, call.CallId, "no candidate on the new address yet", attempt);
                }
                await call.Session.RestartIceAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SessionEndedException or InvalidOperationException or OperationCanceledException or ObjectDisposedException)
        {
            Log.FollowFailed(_logger, e.Message);
        }
    }

    /// <summary>Whether the call's current local description has a candidate on (or, for srflx, from) <paramref name="address"/>.</summary>
    private static bool GatheredOn(Call call, IPAddress address)
    {
        var sdp = call.PeerConnection.LocalDescription?.Sdp ?? "";
        var text = " " + address + " ";
        return sdp.Split('\n').Any(line => line.StartsWith("a=candidate:", StringComparison.Ordinal) && line.Contains(text, StringComparison.Ordinal));
    }

    private static async Task<long> PacketsReceivedAsync(Call call) =>
        (await call.GetStatsAsync().ConfigureAwait(false)).InboundRtp.Sum(s => s.PacketsReceived ?? 0);

    private const int IceRestartRetries = 16;

    private static readonly TimeSpan GatherRetryInterval = TimeSpan.FromMilliseconds(300);

    private static readonly TimeSpan MediaCheckInterval = TimeSpan.FromMilliseconds(1000);

    /// <summary>
    /// One network change at a time; a change that leaves the route to the server on the same local
    /// address (an unrelated interface came or went) changes nothing.
    /// </summary>
    private async Task FollowNetworkChangeAsync()
    {
        await _networkChangeOne.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed != 0)
                return;
            var before = _flowAddress;
            // Right after the address events the new default route may not be there yet.
            var now = await NewRouteAsync().ConfigureAwait(false);
            if (now is null || now.Equals(before) || _disposed != 0)
                return;
            Log.FlowMoving(_logger, before?.ToString() ?? "(none)", now.ToString());
            // Before anything restarts ICE: libwebrtc must see the new address now, not at its next
            // 2-s poll, or the first restart offer has no candidate on it. A peer that answers a
            // restart without candidates (JsSIP does) then never learns a path to us.
            MediaFactory.NotifyNetworkChanged();
            try
            {
                await Connection.RenewFlowAsync(now, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SipTransportException or System.Net.Sockets.SocketException or OperationCanceledException)
            {
                // The registerer's flow recovery below keeps trying to reconnect.
                Log.FlowRenewFailed(_logger, e.Message);
            }
            _flowAddress = now;
            _baseContact = Connection.ContactFor(Options.AddressOfRecord.User!);
            _sessions.Contact = _registerer is { } registerer ? DialogContact(registerer) : _baseContact;
            _events.Raise(this, FlowMoved, new FlowMovedEventArgs(before, now));

            await EndRingingCallsAsync().ConfigureAwait(false);
            if (_registerer is { State: RegistrationState.Registered or RegistrationState.Registering or RegistrationState.Recovering } registered)
            {
                // Flow recovery registers again now; once registered, the refresh of every call restarts ICE.
                Interlocked.Exchange(ref _iceRestartPending, 1);
                registered.RecoverFlowNow(new SipTransportException($"the network changed: our address is now {now}"));
            }
            else
            {
                // Not registered: no REGISTER to wait for. Outside the one-at-a-time section, as the
                // refresh after a registration is, so the next change is not held up by the retries.
                _ = RefreshWithIceRestartAsync();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.FollowFailed(_logger, e.Message);
        }
        finally
        {
            _networkChangeOne.Release();
        }
    }

    private async Task RefreshWithIceRestartAsync()
    {
        try
        {
            await RefreshEveryCallAsync(iceRestart: true).ConfigureAwait(false);   // UserAgent.Recovery.cs: retried per call
            await RestartIceUntilMediaFlowsAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.FollowFailed(_logger, e.Message);
        }
    }

    /// <summary>The local address towards the server, waiting up to a second for a route to appear.</summary>
    private async Task<IPAddress?> NewRouteAsync()
    {
        var address = Connection.CurrentLocalAddress();
        for (var attempt = 0; address is null && attempt < 10; attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), Options.TimeProvider).ConfigureAwait(false);
            address = Connection.CurrentLocalAddress();
        }
        return address;
    }

    /// <summary>
    /// A call that has not been answered yet cannot follow the move: the responses to its INVITE go
    /// to the old address. Outgoing ones are cancelled (so the callee stops ringing) and end as
    /// Failed with the reason; incoming ones are refused 480 (the caller may try again).
    /// </summary>
    private async Task EndRingingCallsAsync()
    {
        var ringing = _calls.Keys.Where(s => s.State is SessionState.Calling or SessionState.Ringing or SessionState.EarlyMedia).ToList();
        await Task.WhenAll(ringing.Select(EndRingingAsync)).ConfigureAwait(false);
    }

    private async Task EndRingingAsync(Session session)
    {
        const string reason = "the network changed before the call was answered";
        try
        {
            var ending = session switch
            {
                Inviter inviter => inviter.CancelAsync(),
                Invitation invitation => invitation.RejectAsync(480),
                _ => session.TerminateAsync(),
            };
            await ending.WaitAsync(RingingEndBound, Options.TimeProvider).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or SessionEndedException or InvalidOperationException or SipTransportException or OperationCanceledException)
        {
            Log.RingingEndSlow(_logger, session.CallId, e.Message);
        }
        // The 487 to our CANCEL goes to the old address too: end it here, with the reason.
        if (session.State != SessionState.Ended)
            session.ForceEnd(new SessionEnd(SessionEndReason.Failed, Detail: reason));
        Log.RingingEnded(_logger, session.CallId, reason);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "network changed: moving the SIP flow from {Before} to {After}")]
        public static partial void FlowMoving(ILogger logger, string before, string after);

        [LoggerMessage(Level = LogLevel.Warning, Message = "moving the SIP flow failed ({Error}); flow recovery keeps trying")]
        public static partial void FlowRenewFailed(ILogger logger, string error);

        [LoggerMessage(Level = LogLevel.Warning, Message = "following a network change failed: {Error}")]
        public static partial void FollowFailed(ILogger logger, string error);

        [LoggerMessage(Level = LogLevel.Debug, Message = "call {CallId}: ending it after the network change took longer: {Error}")]
        public static partial void RingingEndSlow(ILogger logger, string callId, string error);

        [LoggerMessage(Level = LogLevel.Information, Message = "call {CallId}: {Why}; restarting ICE again (attempt {Attempt})")]
        public static partial void IceRestartAgain(ILogger logger, string callId, string why, int attempt);

        [LoggerMessage(Level = LogLevel.Information, Message = "call {CallId} ended: {Reason}")]
        public static partial void RingingEnded(ILogger logger, string callId, string reason);
    }
}

/// <summary>The local address our SIP flow left from before a network change, and the one it leaves from now.</summary>
public sealed class FlowMovedEventArgs(IPAddress? before, IPAddress after) : EventArgs
{
    public IPAddress? Before { get; } = before;

    public IPAddress After { get; } = after;
}
