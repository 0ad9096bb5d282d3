using System.Diagnostics;
using System.Text.Json.Nodes;
using Dialtone.Phone;
using Dialtone.Phone.Media;
using Dialtone.Phone.Network;

namespace Dialtone.Network.Agent;

/// <summary>
/// --gather-only: an offer on a peer connection of the user agent's factory with its ICE servers, no
/// call. Reports the candidates and two times from the same gathering: when Dialtone's rules
/// (<see cref="IceGatheringWait"/>) let the description leave, and when gathering completed (what a
/// plain "wait for complete, capped" would have cost).
/// </summary>
internal static class Gathering
{
    public static async Task ReportAsync(UserAgent agent, CallMediaOptions media, CancellationToken cancel)
    {
        await using var pc = agent.MediaFactory.CreatePeerConnection(media.PeerConnection);
        pc.AddAudioTrack();
        var clock = Stopwatch.StartNew();
        var offer = await pc.CreateOfferAsync(cancellationToken: cancel);
        await pc.SetLocalDescriptionAsync(offer, cancel);
        var outcome = await IceGatheringWait.WaitAsync(pc, media.PeerConnection, media.IceGatheringCap, media.IceGatheringGrace, cancel);
        var readyMs = clock.ElapsedMilliseconds;
        var sdp = pc.LocalDescription!.Sdp;
        var left = media.IceGatheringCap - clock.Elapsed;
        var complete = left > TimeSpan.Zero && await pc.WaitForIceGatheringCompleteAsync(left, cancel);
        var completeMs = clock.ElapsedMilliseconds;

        var candidates = new JsonArray();
        foreach (var line in sdp.Split('\n'))
        {
            // a=candidate:foundation component transport priority address port typ TYPE …
            var parts = line.Trim().Split(' ');
            if (!line.StartsWith("a=candidate:", StringComparison.Ordinal) || parts.Length < 8)
                continue;
            candidates.Add(new JsonObject { ["type"] = parts[7], ["protocol"] = parts[2].ToLowerInvariant(), ["address"] = parts[4] });
        }
        Report.Event("gathered", new JsonObject
        {
            ["readyMs"] = readyMs,
            ["outcome"] = outcome.ToString(),
            ["completeMs"] = completeMs,
            ["completed"] = complete,
            ["candidates"] = candidates,
        });
    }
}
