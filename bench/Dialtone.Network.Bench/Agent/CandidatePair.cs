using System.Text.Json.Nodes;
using Dialtone.WebRtc;

namespace Dialtone.Network.Agent;

/// <summary>The ICE candidate pair that carries the call's media, from the stats (W3C candidate-pair, local/remote-candidate).</summary>
internal static class CandidatePair
{
    public static JsonObject? Describe(RtcStatsReport report)
    {
        var pair = report.SelectedCandidatePair;
        if (pair is null)
            return null;
        return new JsonObject
        {
            ["state"] = pair.State,
            // The latest STUN round trip on the pair (W3C currentRoundTripTime, seconds), in ms.
            ["rttMs"] = pair.CurrentRoundTripTime is { } rtt ? Math.Round(rtt * 1000) : null,
            ["local"] = Candidate(report, pair.GetString("localCandidateId")),
            ["remote"] = Candidate(report, pair.GetString("remoteCandidateId")),
        };
    }

    private static JsonObject? Candidate(RtcStatsReport report, string? id)
    {
        if (id is null || !report.ById.TryGetValue(id, out var c))
            return null;
        return new JsonObject
        {
            ["type"] = c.GetString("candidateType"),
            ["protocol"] = c.GetString("protocol"),
            ["relayProtocol"] = c.GetString("relayProtocol"),
            ["address"] = c.GetString("address") ?? c.GetString("ip"),
            ["port"] = c.GetInt64("port"),
        };
    }
}
