using System.Diagnostics;
using Dialtone.Network.Tests.Lab;
using Xunit.Abstractions;

namespace Dialtone.Network.Tests;

/// <summary>
/// The far end of a moving call is JsSIP in Chromium: Dialtone's home network changes mid-call (new
/// address behind another NAT); Dialtone follows by itself (flow moved, re-REGISTER, re-INVITE with
/// an ICE restart, which JsSIP answers) and the browser keeps the call, with audio back both ways.
/// </summary>
[Collection(NetLabCollection.Name)]
public sealed class BrowserNetworkChangeTests(NetLab lab, ITestOutputHelper output)
{
    /// <summary>SIP over UDP: the hard case for Dialtone (its socket was bound to the vanished address).</summary>
    private const string SipUdp = "sip:203.0.113.10:5060;transport=udp";

    [Fact]
    public async Task A_call_to_JsSIP_in_Chromium_follows_Dialtones_move_to_a_new_address_and_NAT_with_audio_back_both_ways()
    {
        await lab.NatAsync(1, "cone");
        await lab.NatAsync(2, "cone");
        await using var browser = await LabBrowser.StartAsync(lab, 2, lab.SipWss, "alice", "alice-secret", LabCall.DialtoneSaysToBrowserHz,
            [new { urls = lab.Stun }]);
        // NETLAB_AGENT_LOG=DIR: Dialtone's debug log goes there (a failure's SIP and ICE story).
        string[] log = Environment.GetEnvironmentVariable("NETLAB_AGENT_LOG") is { Length: > 0 } dir
            ? ["--log-file", Path.Combine(dir, $"browser-move-{DateTime.UtcNow:HHmmss}.log")] : [];
        using var dialtone = LabCall.StartCallingBrowser(lab, 1, SipUdp, talkSeconds: 14, ["--ice", lab.Stun, .. log]);
        await browser.AnswerAsync(dialtone);
        await dialtone.WaitForAsync("established", LabCall.Generous);
        await browser.Phone.WaitToHearToneAsync(TimeSpan.FromSeconds(1), LabCall.Generous);
        await Task.Delay(2000);

        await NetLab.RunAsync("move", "1");
        try
        {
            // The browser's side: how long its tone meter stood still around the move, and that it
            // heard two more seconds of Dialtone's tone afterwards (from the new path).
            var browserGap = await LongestStallAsync(browser, moreToHear: TimeSpan.FromSeconds(2), within: TimeSpan.FromSeconds(20));
            var result = new LabCall.Side(await dialtone.WaitForAsync("result", LabCall.Generous));
            var offers = (await browser.Phone.SdpsAsync()).Where(s => s.Originator == "remote" && s.Type == "offer").Select(s => IceUfrag(s.Sdp)).ToList();
            var story = $"Dialtone: {result}\n" +
                string.Join("\n", new[] { "network-change", "registration", "ice", "gathering" }.SelectMany(dialtone.EventsNamed)
                    .OrderBy(e => (long?)e["atMs"] ?? 0).Select(e => $"Dialtone {e.ToJsonString()}")) +
                $"\nbrowser: longest stall of its tone meter {browserGap?.TotalMilliseconds.ToString("F0") ?? "(audio never came back)"} ms; " +
                $"offers from Dialtone (ice-ufrag): {string.Join(", ", offers)}\n{await browser.Phone.DescribeAsync()}";
            output.WriteLine(story);
            Assert.True(browserGap is not null, $"the browser did not hear 2 s more of Dialtone's tone within 20 s of the move\n{story}");

            var moved = await dialtone.WaitForAsync("network-change", LabCall.Generous);
            Assert.Equal("198.51.100.26", (string?)moved["after"]);
            // Dialtone registered again after the move and kept the call until its own BYE; the
            // browser's call was never dropped (it ended by that BYE), and audio came back both ways.
            Assert.Contains(dialtone.EventsNamed("registration"), e => (string?)e["state"] == "Registered" && (long)e["atMs"]! >= (long)moved["atMs"]!);
            Assert.Equal("LocalHangup", (string?)result.Result["end"]);
            var ended = await browser.Phone.WaitForStateAsync("ended", TimeSpan.FromSeconds(20));
            Assert.Equal("remote", ended.End?.Originator);
            Assert.True((long)result.Result["longestGapMs"]! < 5000, $"Dialtone's longest gap of the browser's tone: {result}");
            Assert.True(browserGap < TimeSpan.FromSeconds(5), $"the browser's longest gap of Dialtone's tone\n{story}");
            // JsSIP took a re-INVITE with an ICE restart (a new ufrag in Dialtone's offer) and answered it.
            Assert.True(offers.Count >= 2 && offers[^1] != offers[0], $"no ICE-restart offer reached the browser\n{story}");
            // Dialtone's final pair is on the new path (its new LAN address, seen as host, or its new router's).
            Assert.Contains((string?)result.Local["address"], new[] { "192.0.2.101", "198.51.100.26" });
            Assert.Equal("203.0.113.102", (string?)result.Remote["address"]);
        }
        finally
        {
            await NetLab.RunAsync("move", "1");
        }
    }

    private static string IceUfrag(string sdp) =>
        sdp.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("a=ice-ufrag:", StringComparison.Ordinal)) ?? "(none)";

    /// <summary>
    /// Samples the page's tone meter every 100 ms until it has heard <paramref name="moreToHear"/> more
    /// of its tone; returns the longest stretch it stood still, or null when that did not happen
    /// within <paramref name="within"/>.
    /// </summary>
    private static async Task<TimeSpan?> LongestStallAsync(LabBrowser browser, TimeSpan moreToHear, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        var start = (await browser.Phone.SnapshotAsync()).Heard?.ToneHeardMs ?? 0;
        var last = start;
        var lastGrew = clock.Elapsed;
        var longest = TimeSpan.Zero;
        while (true)
        {
            await Task.Delay(100);
            var heard = (await browser.Phone.SnapshotAsync()).Heard?.ToneHeardMs ?? 0;
            if (heard > last)
            {
                last = heard;
                lastGrew = clock.Elapsed;
            }
            longest = clock.Elapsed - lastGrew > longest ? clock.Elapsed - lastGrew : longest;
            if (last - start >= moreToHear.TotalMilliseconds)
                return longest;
            if (clock.Elapsed > within)
                return null;
        }
    }
}
