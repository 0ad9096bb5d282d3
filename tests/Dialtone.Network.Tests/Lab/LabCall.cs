using System.Text.Json.Nodes;

namespace Dialtone.Network.Tests.Lab;

/// <summary>
/// One call across the lab: bob (answers, says 880 Hz) in one home, alice (calls, says 440 Hz) in
/// another; both report their side as JSON.
/// </summary>
public static class LabCall
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    /// <summary>The domain of the lab's accounts (alice, bob, carol; Kamailio's static passwords).</summary>
    public const string Domain = "dialtone.test";

    public sealed record Side(JsonObject Result)
    {
        public JsonObject Pair => Result["pair"] as JsonObject ?? throw new Xunit.Sdk.XunitException($"no selected candidate pair: {Result}");

        public JsonObject Local => (JsonObject)Pair["local"]!;

        public JsonObject Remote => (JsonObject)Pair["remote"]!;

        public string LocalType => (string)Local["type"]!;

        public string? LocalRelayProtocol => (string?)Local["relayProtocol"];

        public double HeardRatio => (double)Result["heardRatio"]!;

        public long SetupMs => (long)Result["setupMs"]!;

        public long FirstToneMs => (long)Result["firstToneMs"]!;

        /// <summary>The selected pair's latest STUN round trip (ms), or null when the stats had none.</summary>
        public double? RttMs => (double?)Pair["rttMs"];

        public override string ToString() => Result.ToJsonString();
    }

    public static async Task<(Side Alice, Side Bob)> RunAsync(NetLab lab, int aliceHome, string[] aliceArgs, int bobHome, string[] bobArgs,
        string? bobServer = null, string? aliceServer = null, double talkSeconds = 3)
    {
        string[] common = ["--domain", "dialtone.test", "--ca", lab.CaFile, "--talk", talkSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--timeout", "60"];
        using var bob = LabAgent.Start(bobHome, [.. common, "--server", bobServer ?? lab.SipTcp, "--user", "bob", "--password", "bob-secret",
            "--say", "880", "--listen", "440", .. bobArgs]);
        await bob.WaitForAsync("registered", Generous);
        using var alice = LabAgent.Start(aliceHome, [.. common, "--server", aliceServer ?? lab.SipTcp, "--user", "alice", "--password", "alice-secret",
            "--say", "440", "--listen", "880", "--target", "sip:bob@dialtone.test", .. aliceArgs]);
        var aliceResult = alice.WaitForAsync("result", Generous);
        var bobResult = bob.WaitForAsync("result", Generous);
        return (new Side(await aliceResult), new Side(await bobResult));
    }

    /// <summary>What Dialtone says when it calls the browser (which says <see cref="Dialtone.Interop.Tests.Infrastructure.ChromiumLaunch.MicrophoneHz"/>).</summary>
    public const double DialtoneSaysToBrowserHz = 440;

    /// <summary>
    /// Dialtone as bob in home <paramref name="home"/> calling the browser's alice (<see cref="LabBrowser"/>):
    /// says <see cref="DialtoneSaysToBrowserHz"/>, listens for the browser's fake microphone, measures for
    /// <paramref name="talkSeconds"/> once it heard it, then hangs up and reports "result".
    /// </summary>
    public static LabAgent StartCallingBrowser(NetLab lab, int home, string server, double talkSeconds, params string[] args) =>
        StartForBrowser(lab, home, server, talkSeconds, ["--target", $"sip:alice@{Domain}", .. args]);

    /// <summary>
    /// Dialtone as bob in home <paramref name="home"/>, registered through <paramref name="server"/>, with the
    /// tones of a call with the browser (without --target it answers the browser's call).
    /// </summary>
    public static LabAgent StartForBrowser(NetLab lab, int home, string server, double talkSeconds, params string[] args)
    {
        static string Text(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return LabAgent.Start(home, ["--domain", Domain, "--ca", lab.CaFile, "--server", server, "--user", "bob", "--password", "bob-secret",
            "--say", Text(DialtoneSaysToBrowserHz), "--listen", Text(Dialtone.Interop.Tests.Infrastructure.ChromiumLaunch.MicrophoneHz),
            "--talk", Text(talkSeconds), "--timeout", "120", .. args]);
    }

    /// <summary>Audio both ways: each side heard the other's tone for most of the talk time.</summary>
    public static void AssertAudioBothWays(Side alice, Side bob, double minRatio = 0.8)
    {
        Assert.True(alice.FirstToneMs > 0 && alice.HeardRatio >= minRatio, $"alice did not hear bob: {alice}");
        Assert.True(bob.FirstToneMs > 0 && bob.HeardRatio >= minRatio, $"bob did not hear alice: {bob}");
    }
}
