using System.Diagnostics;
using System.Text.Json.Nodes;
using Dialtone.Phone;
using Dialtone.Phone.Media;

namespace Dialtone.Network.Agent;

/// <summary>
/// --gather-only: an offer on a peer connection of the user agent's factory with its ICE servers, no
/// call: which candidate kinds were gathered and how long gathering took (capped like a call's).
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
        await pc.WaitForIceGatheringCompleteAsync(media.IceGatheringCap, cancel);
        var elapsed = clock.ElapsedMilliseconds;
        var candidates = new JsonArray();
        foreach (var line in pc.LocalDescription!.Sdp.Split('\n'))
        {
            // a=candidate:foundation component transport priority address port typ TYPE …
            var parts = line.Trim().Split(' ');
            if (!line.StartsWith("a=candidate:", StringComparison.Ordinal) || parts.Length < 8)
                continue;
            candidates.Add(new JsonObject { ["type"] = parts[7], ["protocol"] = parts[2].ToLowerInvariant(), ["address"] = parts[4] });
        }
        Report.Event("gathered", new JsonObject { ["ms"] = elapsed, ["candidates"] = candidates });
    }
}
