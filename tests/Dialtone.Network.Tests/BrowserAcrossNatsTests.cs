using Dialtone.Interop.Tests.Infrastructure;
using Dialtone.Network.Tests.Lab;
using Xunit.Abstractions;

namespace Dialtone.Network.Tests;

/// <summary>
/// Dialtone behind one NAT ↔ JsSIP in Chromium behind another: the browser (home 2) registers with
/// the public Kamailio over WSS, Dialtone (home 1, SIP over TCP) calls it and the browser answers,
/// or the other way round. Each
/// test asserts audio both ways (Dialtone's tone meter, the page's AudioWorklet listener) and the ICE
/// candidate pair Dialtone's stats report.
/// </summary>
[Collection(NetLabCollection.Name)]
public sealed class BrowserAcrossNatsTests(NetLab lab, ITestOutputHelper output)
{
    private static readonly TimeSpan ToneLength = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Dialtone_behind_a_cone_NAT_calls_JsSIP_in_Chromium_behind_another_server_reflexive_to_server_reflexive()
    {
        await lab.NatAsync(1, "cone");
        await lab.NatAsync(2, "cone");
        await using var browser = await LabBrowser.StartAsync(lab, 2, lab.SipWss, "alice", "alice-secret", LabCall.DialtoneSaysToBrowserHz,
            [new { urls = lab.Stun }]);

        var dialtone = await CallBrowserAsync(browser, ["--ice", lab.Stun]);

        // Both sides reached each other at their routers' public addresses (STUN-learned), over UDP.
        Assert.Equal("srflx", dialtone.LocalType);
        Assert.Equal("203.0.113.101", (string?)dialtone.Local["address"]);
        Assert.Equal("203.0.113.102", (string?)dialtone.Remote["address"]);
        Assert.Contains((string?)dialtone.Remote["type"], new[] { "srflx", "prflx" });
        Assert.Equal("udp", (string?)dialtone.Local["protocol"]);
    }

    [Fact]
    public async Task JsSIP_in_Chromium_behind_a_symmetric_NAT_is_reached_through_a_TURN_relay()
    {
        await lab.NatAsync(1, "cone");
        await lab.NatAsync(2, "symmetric");
        await using var browser = await LabBrowser.StartAsync(lab, 2, lab.SipWss, "alice", "alice-secret", LabCall.DialtoneSaysToBrowserHz,
            [new { urls = lab.Stun }, new { urls = lab.TurnUdp, username = "lab", credential = "lab-secret" }]);

        var dialtone = await CallBrowserAsync(browser, ["--ice", lab.Stun, "--ice", lab.TurnUdp, .. NetLab.TurnCredentials]);

        // The browser's symmetric mapping defeats a direct path (its port towards Dialtone is not the
        // one STUN saw, and Dialtone's router filters by address and port): the media goes through
        // coturn, as Dialtone's relay or the browser's.
        var relayEnds = new[] { dialtone.Local, dialtone.Remote }.Where(c => (string?)c["type"] == "relay").ToList();
        Assert.True(relayEnds.Count >= 1, $"no relay in Dialtone's pair: {dialtone}");
        Assert.All(relayEnds, c => Assert.Equal(NetLab.TurnIp, (string?)c["address"]));
        Assert.False((string?)dialtone.Remote["type"] == "srflx" && dialtone.LocalType == "srflx", $"srflx ↔ srflx across a symmetric NAT: {dialtone}");
    }

    [Fact]
    public async Task JsSIP_in_Chromium_behind_a_cone_NAT_calls_Dialtone_behind_another()
    {
        await lab.NatAsync(1, "cone");
        await lab.NatAsync(2, "cone");
        await using var browser = await LabBrowser.StartAsync(lab, 2, lab.SipWss, "alice", "alice-secret", LabCall.DialtoneSaysToBrowserHz,
            [new { urls = lab.Stun }]);
        // Dialtone answers and measures until the browser hangs up (its talk time is only an upper bound).
        using var dialtone = LabCall.StartForBrowser(lab, 1, lab.SipTcp, talkSeconds: 60, "--ice", lab.Stun);
        await dialtone.WaitForAsync("registered", LabCall.Generous);

        await browser.Phone.CallAsync($"sip:bob@{LabCall.Domain}");
        await browser.Phone.WaitForStateAsync("established", LabCall.Generous);
        await dialtone.WaitForAsync("established", LabCall.Generous);
        await browser.Phone.WaitToHearToneAsync(TimeSpan.FromSeconds(3), LabCall.Generous);
        await browser.Phone.HangupAsync();

        var side = new LabCall.Side(await dialtone.WaitForAsync("result", LabCall.Generous));
        output.WriteLine($"Dialtone: {side}");
        Assert.True(side.FirstToneMs > 0 && side.HeardRatio >= 0.8, $"Dialtone did not hear the browser: {side}");
        Assert.Equal("RemoteHangup", (string?)side.Result["end"]);
        Assert.Equal("srflx", side.LocalType);
        Assert.Equal("203.0.113.101", (string?)side.Local["address"]);
        Assert.Equal("203.0.113.102", (string?)side.Remote["address"]);
    }

    /// <summary>
    /// Dialtone (home 1) calls the browser, which answers; both hear each other; Dialtone hangs up
    /// after its measurement and the browser sees the BYE. Returns Dialtone's side.
    /// </summary>
    private async Task<LabCall.Side> CallBrowserAsync(LabBrowser browser, string[] dialtoneArgs)
    {
        using var dialtone = LabCall.StartCallingBrowser(lab, 1, lab.SipTcp, talkSeconds: 4, dialtoneArgs);
        await browser.AnswerAsync(dialtone);
        await browser.Phone.WaitToHearToneAsync(ToneLength, LabCall.Generous);

        var side = new LabCall.Side(await dialtone.WaitForAsync("result", LabCall.Generous));
        output.WriteLine($"Dialtone: {side}");
        output.WriteLine($"browser: {(await browser.Phone.SnapshotAsync()).Heard}");
        Assert.True(side.FirstToneMs > 0 && side.HeardRatio >= 0.8, $"Dialtone did not hear the browser: {side}");
        var ended = await browser.Phone.WaitForStateAsync("ended", TimeSpan.FromSeconds(20));
        Assert.Equal("remote", ended.End?.Originator);
        Assert.Equal("LocalHangup", (string?)side.Result["end"]);
        return side;
    }
}
