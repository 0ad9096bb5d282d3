using System.Diagnostics;
using System.Text.Json.Nodes;
using Dialtone.Phone;
using Dialtone.Sip.UserAgent;

namespace Dialtone.Network.Agent;

/// <summary>
/// --follow-network auto: the user agent follows network changes by itself; this only reports what
/// it did, on the call's clock: "network-change" when the SIP flow moved to a new address, then
/// "registration" for each registration state on the way back to Registered.
/// </summary>
internal sealed class FlowMoveReport : IDisposable
{
    private readonly UserAgent _agent;
    private readonly Call _call;
    private readonly Stopwatch _clock;

    public FlowMoveReport(UserAgent agent, Call call, Stopwatch clock)
    {
        _agent = agent;
        _call = call;
        _clock = clock;
        agent.FlowMoved += OnFlowMoved;
        agent.RegistrationStateChanged += OnRegistration;
        if (call.LegacyMedia is null)
        {
            call.PeerConnection.IceConnectionStateChanged += OnIce;
            call.PeerConnection.IceGatheringStateChanged += OnGathering;
        }
    }

    private void OnIce(object? sender, Dialtone.WebRtc.StateChangedEventArgs<Dialtone.WebRtc.IceConnectionState> e) =>
        Report.Event("ice", new JsonObject { ["atMs"] = _clock.ElapsedMilliseconds, ["state"] = e.State.ToString() });

    private void OnGathering(object? sender, Dialtone.WebRtc.StateChangedEventArgs<Dialtone.WebRtc.IceGatheringState> e) =>
        Report.Event("gathering", new JsonObject { ["atMs"] = _clock.ElapsedMilliseconds, ["state"] = e.State.ToString() });

    private void OnFlowMoved(object? sender, FlowMovedEventArgs e) => Report.Event("network-change", new JsonObject
    {
        ["atMs"] = _clock.ElapsedMilliseconds,
        ["before"] = e.Before?.ToString(),
        ["after"] = e.After.ToString(),
    });

    private void OnRegistration(object? sender, RegistrationStateChangedEventArgs e) => Report.Event("registration", new JsonObject
    {
        ["atMs"] = _clock.ElapsedMilliseconds,
        ["state"] = e.State.ToString(),
        ["error"] = e.Error?.Message,
    });

    public void Dispose()
    {
        _agent.FlowMoved -= OnFlowMoved;
        _agent.RegistrationStateChanged -= OnRegistration;
        if (_call.LegacyMedia is null)
        {
            _call.PeerConnection.IceConnectionStateChanged -= OnIce;
            _call.PeerConnection.IceGatheringStateChanged -= OnGathering;
        }
    }
}
