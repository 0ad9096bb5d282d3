using System.Diagnostics;
using System.Text.Json.Nodes;
using Dialtone.Phone;
using Dialtone.Phone.Network;

namespace Dialtone.Network.Agent;

/// <summary>
/// --follow-network: what an application does today on a network change, with the public API only:
/// <see cref="NetworkChangeMonitor"/> notices the new address, then the phone registers again (same
/// instance id, new flow) and re-INVITEs the call with an ICE restart. Reports each change with its
/// timings (ms since the call was established).
/// </summary>
internal sealed class NetworkFollower : IDisposable
{
    private readonly NetworkChangeMonitor _monitor = new();
    private readonly UserAgent _agent;
    private readonly Call _call;
    private readonly Stopwatch _clock;
    private readonly SemaphoreSlim _one = new(1);

    public NetworkFollower(UserAgent agent, Call call, Stopwatch clock)
    {
        _agent = agent;
        _call = call;
        _clock = clock;
        _monitor.Changed += async (_, e) => await OnChangedAsync(e);
    }

    public List<long> ChangesAt { get; } = [];

    private async Task OnChangedAsync(NetworkChangedEventArgs e)
    {
        var at = _clock.ElapsedMilliseconds;
        lock (ChangesAt)
            ChangesAt.Add(at);
        var report = new JsonObject { ["atMs"] = at, ["addresses"] = string.Join(",", e.After) };
        await _one.WaitAsync();
        try
        {
            // Right after the address event the new route may not be there yet ("network is
            // unreachable"): retry for a few seconds, as a phone on a real laptop must.
            var step = Stopwatch.StartNew();
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await _agent.RegisterAsync();
                    report["registerMs"] = step.ElapsedMilliseconds;
                    if (_call.State is CallState.Established or CallState.OnHold)
                    {
                        await _call.RestartIceAsync();
                        report["reinviteMs"] = step.ElapsedMilliseconds;
                    }
                    report["attempts"] = attempt;
                    break;
                }
                catch (Exception ex) when (attempt < 10 && _call.State is not CallState.Ended)
                {
                    report["lastError"] = ex.GetType().Name + ": " + ex.Message;
                    await Task.Delay(300);
                }
            }
            report["callState"] = _call.State.ToString();
        }
        catch (Exception ex)
        {
            report["failed"] = ex.GetType().Name + ": " + ex.Message;
        }
        finally
        {
            _one.Release();
        }
        Report.Event("network-change", report);
    }

    public void Dispose() => _monitor.Dispose();
}
