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
        using var dialtone = LabCall.StartCallingBrowser(lab, 1, SipUdp, talkSeconds: 14, "--ice", lab.Stun);
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
            var moved = await dialtone.WaitForAsync("network-change", LabCall.Generous);
            Assert.Equal("198.51.100.26", (string?)moved["after"]);

            var result = new LabCall.Side(await dialtone.WaitForAsync("result", LabCall.Generous));
            output.WriteLine($"Dialtone: {result}");
            foreach (var name in new[] { "network-change", "registration", "ice", "gathering" })
                foreach (var e in dialtone.EventsNamed(name))
                    output.WriteLine($"Dialtone {e.ToJsonString()}");
            output.WriteLine($"browser: longest stall of its tone meter {browserGap.TotalMilliseconds:F0} ms; {(await browser.Phone.SnapshotAsync()).Heard?.ToneHeardMs} ms of tone heard\n{await browser.Phone.DescribeAsync()}");

            // Dialtone registered again after the move and kept the call until its own BYE; the
            // browser's call was never dropped (it ended by that BYE), and audio came back both ways.
            Assert.Contains(dialtone.EventsNamed("registration"), e => (string?)e["state"] == "Registered" && (long)e["atMs"]! >= (long)moved["atMs"]!);
            Assert.Equal("LocalHangup", (string?)result.Result["end"]);
            var ended = await browser.Phone.WaitForStateAsync("ended", TimeSpan.FromSeconds(20));
            Assert.Equal("remote", ended.End?.Originator);
            Assert.True((long)result.Result["longestGapMs"]! < 5000, $"Dialtone's longest gap of the browser's tone: {result}");
            Assert.True(browserGap < TimeSpan.FromSeconds(5), $"the browser's longest gap of Dialtone's tone: {browserGap.TotalMilliseconds:F0} ms");
            // JsSIP took a re-INVITE with an ICE restart (a new ufrag in Dialtone's offer) and answered it.
            var offers = (await browser.Phone.SdpsAsync()).Where(s => s.Originator == "remote" && s.Type == "offer").Select(s => IceUfrag(s.Sdp)).ToList();
            Assert.True(offers.Count >= 2 && offers[^1] != offers[0], $"no ICE-restart offer reached the browser: ufrags {string.Join(", ", offers)}");
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
    /// of its tone (bounded by <paramref name="within"/>); returns the longest stretch it stood still.
    /// </summary>
    private static async Task<TimeSpan> LongestStallAsync(LabBrowser browser, TimeSpan moreToHear, TimeSpan within)
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
                throw new TimeoutException($"the browser heard only {last - start:F0} ms more of Dialtone's tone within {within.TotalSeconds} s of the move\n{await browser.Phone.DescribeAsync()}");
        }
    }
}
