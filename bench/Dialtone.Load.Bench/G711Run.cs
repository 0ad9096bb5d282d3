using System.Diagnostics;
using System.Globalization;
using System.Net;
using Dialtone.Phone;
using Dialtone.Phone.Media.Legacy;
using Dialtone.Sip.Auth;
using Dialtone.Sip.IntegrationTests.Infrastructure;
using Dialtone.Sip.Message;
using Dialtone.WebRtc;

namespace Dialtone.Load.Bench;

internal sealed record G711Settings(int HeldCalls, int RateCalls, int Rate, int Concurrency, int Seconds);

/// <summary>
/// The carrier/IVR case: plain RTP/AVP G.711 (PCMA) calls from sipp (another process) through Kamailio
/// over UDP to bob, this process — a Dialtone user agent that allows unencrypted media
/// (<see cref="LegacyMediaOptions.AllowUnencryptedMedia"/>) on the legacy RTP path, virtual device, no AEC.
/// Held calls: sipp streams g711a.pcap into every call; "audio in every call" = bob's RTP session of that
/// call received ≥ 80 % of the pcap's packet rate and sent ≥ 80 % of 50/s over the window (the legacy path
/// has no per-call PCM sink to check the content). Rate: sipp's call rate, INVITE → 200 → ACK → BYE.
/// </summary>
internal static class G711Run
{
    private const double PcapPacketsPerSecond = 236 / 7.05; // /usr/share/sip-tester/g711a.pcap: 236 RTP packets over 7.05 s

    public static async Task<int> RunAsync(G711Settings s)
    {
        Console.WriteLine($"Dialtone load bench, G.711 via sipp — {Environment.ProcessorCount} cores, load average {LoadRun.LoadAverage()} at start (wall-clock figures are loaded-machine figures)");
        await using var kamailio = await KamailioServer.StartNewAsync();
        await using var bob = await UserAgent.StartAsync(new UserAgentOptions
        {
            Server = $"sip:127.0.0.1:{kamailio.SipPort};transport=udp",
            AddressOfRecord = SipUri.Parse($"sip:bob@{KamailioServer.Domain}"),
            Credentials = new SipCredentials("bob", KamailioServer.Passwords["bob"]),
            Audio = new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = AudioProcessingOptions.Disabled },
            LegacyMedia = new LegacyMediaOptions { AllowUnencryptedMedia = true, LocalAddress = IPAddress.Loopback, MediaTimeout = null },
        });
        await bob.RegisterAsync();
        var answered = 0;
        var plainRtp = 0;
        _ = Task.Run(async () =>
        {
            await foreach (var call in bob.IncomingCalls.ReadAllAsync())
            {
                Interlocked.Increment(ref answered);
                if (call.LegacyMedia is { IsEncrypted: false }) // the offer is applied before the call rings
                    Interlocked.Increment(ref plainRtp);
                _ = call.AnswerAsync().ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            }
        });

        // Warm-up (JIT, first sockets): a few rate calls, not measured.
        using (var warm = StartSipp(kamailio, "g711-rate-uac.xml", calls: 5, rate: 5, limit: 2, "-d", "200"))
            await warm.WaitForExitAsync(TimeSpan.FromMinutes(2));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var table = new List<string[]>();
        var idleCpu = await LoadRun.CpuPerSecondAsync(TimeSpan.FromSeconds(s.Seconds));

        // 1. Held calls streaming G.711 both ways.
        int verified;
        double heldCpu;
        using (var held = StartSipp(kamailio, "g711-held-uac.xml", calls: s.HeldCalls, rate: Math.Max(1, s.HeldCalls / 2), limit: s.HeldCalls))
        {
            var deadline = Stopwatch.StartNew();
            while (bob.Calls.Count(c => c.State == CallState.Established) < s.HeldCalls && deadline.Elapsed < TimeSpan.FromSeconds(12) && !held.HasExited)
                await Task.Delay(100);
            await Task.Delay(TimeSpan.FromSeconds(1));
            var calls = bob.Calls.Where(c => c.State == CallState.Established && c.LegacyMedia is not null).ToList();
            var before = calls.Select(Packets).ToList();
            var window = Stopwatch.StartNew();
            heldCpu = await LoadRun.CpuPerSecondAsync(TimeSpan.FromSeconds(s.Seconds));
            var after = calls.Select(Packets).ToList();
            var seconds = window.Elapsed.TotalSeconds;
            verified = calls.Where((c, i) => before[i] is { } b && after[i] is { } a
                && a.Received - b.Received >= 0.8 * PcapPacketsPerSecond * seconds && a.Sent - b.Sent >= 0.8 * 50 * seconds).Count();
            var exit = await held.WaitForExitAsync(TimeSpan.FromMinutes(2));
            if (exit != 0)
                Console.WriteLine($"sipp (held) exited with {exit}: {held.Tail(8)}");
        }
        var callCores = heldCpu - idleCpu;
        table.Add(LoadRun.Row($"G.711 calls per core (plain RTP via sipp, AEC off; {s.HeldCalls} held; RTP both ways in every call: {verified}/{s.HeldCalls})",
            verified < s.HeldCalls ? "not valid: RTP not in every call" : callCores > 0 ? $"{s.HeldCalls / callCores:F1}" : "n/a", "(issue: measure)", $"idle process {idleCpu * 1000:F0} CPU-ms/s"));
        table.Add(LoadRun.Row("  CPU-ms per call per second (bob)", $"{callCores * 1000 / s.HeldCalls:F2}", "", ""));

        // 2. Call rate: sipp places RateCalls calls at Rate/s, at most Concurrency at once, each ~0 s long.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var self = Process.GetCurrentProcess();
        self.Refresh();
        var cpu0 = self.TotalProcessorTime;
        var answered0 = answered;
        var wall = Stopwatch.StartNew();
        int rateExit;
        using (var rate = StartSipp(kamailio, "g711-rate-uac.xml", calls: s.RateCalls, rate: s.Rate, limit: s.Concurrency, "-d", "0"))
        {
            rateExit = await rate.WaitForExitAsync(TimeSpan.FromMinutes(5));
            if (rateExit != 0)
                Console.WriteLine($"sipp (rate) exited with {rateExit}: {rate.Tail(8)}");
        }
        var rateWall = wall.Elapsed;
        while (bob.Calls.Count > 0 && wall.Elapsed < rateWall + TimeSpan.FromSeconds(10))
            await Task.Delay(50); // the last BYEs' media release
        self.Refresh();
        var rateCpu = self.TotalProcessorTime - cpu0 - TimeSpan.FromSeconds(idleCpu * wall.Elapsed.TotalSeconds);
        var rateCalls = answered - answered0;
        table.Add(LoadRun.Row($"G.711 calls/s set up + torn down (wall, loaded machine; sipp -r {s.Rate} -l {s.Concurrency})", $"{rateCalls / rateWall.TotalSeconds:F1}", "≥ 100 / process",
            $"sipp exit {rateExit} (0 = every call succeeded)"));
        table.Add(LoadRun.Row("G.711 calls per CPU-second of bob (idle CPU subtracted)", $"{rateCalls / rateCpu.TotalSeconds:F1}", "≥ 100 / process",
            $"{rateCpu.TotalMilliseconds / rateCalls:F2} CPU-ms per call"));

        Console.WriteLine();
        LoadRun.Print(table);
        Console.WriteLine($"load average {LoadRun.LoadAverage()} at the end; answered {answered} calls, {plainRtp} of them plain RTP");
        return verified == s.HeldCalls && rateExit == 0 ? 0 : 1;
    }

    private static (long Sent, long Received)? Packets(Call call)
    {
        try
        {
            var st = call.LegacyMedia!.Session.GetStatistics();
            return ((long)st.RtpPacketsSent, (long)st.RtpPacketsReceived);
        }
        catch (ObjectDisposedException)
        {
            return null; // the call ended
        }
    }

    private static ChildProcess StartSipp(KamailioServer kamailio, string scenario, int calls, int rate, int limit, params string[] extra)
    {
        var args = new List<string>
        {
            $"127.0.0.1:{kamailio.SipPort}", "-sf", Path.Combine(AppContext.BaseDirectory, "sipp", scenario),
            "-i", "127.0.0.1", "-p", FreePorts.Next().ToString(CultureInfo.InvariantCulture), "-t", "u1",
            "-s", "bob", "-key", "domain", KamailioServer.Domain, "-mi", "127.0.0.1", "-mp", FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            "-m", calls.ToString(CultureInfo.InvariantCulture), "-r", rate.ToString(CultureInfo.InvariantCulture), "-l", limit.ToString(CultureInfo.InvariantCulture),
            "-timeout", "120s", "-timeout_error", "-nostdin",
        };
        args.AddRange(extra);
        return new ChildProcess("sipp", args, Path.GetTempPath());
    }
}
