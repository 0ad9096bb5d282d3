using System.Diagnostics;
using Dialtone.Interop.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Dialtone.Network.Tests.Lab;

/// <summary>
/// The browser interop tests' JsSIP softphone (tests/interop/page) in headless Debian Chromium running
/// <b>inside</b> a home namespace of the lab, behind that home's NAT. Playwright drives it over the
/// DevTools pipe (file descriptors survive <c>ip netns exec</c>), so the test process stays outside
/// while every packet of the browser — page, WebSocket, STUN/TURN, media — is inside the lab:
/// <list type="bullet">
/// <item>Chromium is launched through a two-line script, <c>exec ip netns exec PREFIX-hN chromium "$@"</c>;</item>
/// <item>the page is served inside the same namespace on http://127.0.0.1 (a secure context, which
///   getUserMedia needs) by <c>python3 -m http.server</c> from a folder holding only the page's files;</item>
/// <item>Chromium trusts the lab's test CA (its own HOME with an NSS database), so wss:// to Kamailio
///   is verified, not waved through.</item>
/// </list>
/// The browser says <see cref="ChromiumLaunch.MicrophoneHz"/> through its fake microphone.
/// </summary>
public sealed class LabBrowser : IAsyncDisposable
{
    private const int PagePort = 8000;
    private readonly string _dir;
    private Process? _pageServer;
    private IPlaywright? _playwright;
    private IBrowserContext? _browser;

    private LabBrowser(int home)
    {
        Home = home;
        _dir = Path.Combine(NetLab.WorkDir, $"browser-h{home}");
    }

    public int Home { get; }

    /// <summary>The JsSIP phone of the page, driven as in the interop tests.</summary>
    public BrowserPhone Phone { get; private set; } = null!;

    private IPage Page { get; set; } = null!;

    /// <summary>
    /// Starts Chromium in home <paramref name="home"/>, opens the page and registers <paramref name="user"/>
    /// over <paramref name="webSocketUri"/>; <paramref name="iceServers"/> are RTCIceServer objects
    /// (<c>new { urls = "stun:…" }</c>); the page listens for <paramref name="listenHz"/>.
    /// </summary>
    public static async Task<LabBrowser> StartAsync(NetLab lab, int home, string webSocketUri, string user, string password,
        double listenHz, object[] iceServers)
    {
        if (!File.Exists(ChromiumLaunch.ExecutablePath))
            throw new InvalidOperationException($"{ChromiumLaunch.ExecutablePath} is missing: run tests/infra/install-browser.sh (Debian package chromium).");
        if (!File.Exists(InteropPaths.JsSipBundle))
            throw new InvalidOperationException($"{InteropPaths.JsSipBundle} is missing: run tests/infra/install-browser.sh (npm ci and the JsSIP bundle).");
        var browser = new LabBrowser(home);
        try
        {
            await browser.LaunchAsync(lab);
            await browser.RegisterAsync(webSocketUri, user, password, listenHz, iceServers);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    private string Namespace => $"{NetLab.Prefix}-h{Home}";

    private async Task LaunchAsync(NetLab lab)
    {
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("the network lab needs Linux network namespaces");
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
        var pageDir = Directory.CreateDirectory(Path.Combine(_dir, "page")).FullName;
        foreach (var file in new[] { "index.html", "listener.js", "listener-worklet.js", "softphone.js" })
            File.Copy(Path.Combine(InteropPaths.Page, file), Path.Combine(pageDir, file));
        File.Copy(InteropPaths.JsSipBundle, Path.Combine(pageDir, "jssip.js"));

        var home = Path.Combine(_dir, "home");
        await ChromiumNssTrust.TrustAsync(home, lab.CaFile, "Dialtone netlab test CA");
        var microphone = Path.Combine(_dir, "microphone.wav");
        ToneWav.Write(microphone, ChromiumLaunch.MicrophoneHz);

        _pageServer = StartPageServer(pageDir);
        await WaitListeningAsync(PagePort, TimeSpan.FromSeconds(20));

        var launcher = Path.Combine(_dir, "chromium-in-namespace.sh");
        await File.WriteAllTextAsync(launcher, $"#!/bin/sh\nexec ip netns exec {Namespace} {ChromiumLaunch.ExecutablePath} \"$@\"\n");
        File.SetUnixFileMode(launcher, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchPersistentContextAsync(Path.Combine(_dir, "profile"),
            new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = launcher,
                Headless = true,
                Args = ChromiumLaunch.Arguments(microphone, hideLocalAddressesWithMdns: false),
                Env = new Dictionary<string, string> { ["HOME"] = home },
                Permissions = ["microphone"],
            });
        Page = await _browser.NewPageAsync();
        Phone = new BrowserPhone(Page);
        await Page.GotoAsync($"http://127.0.0.1:{PagePort}/");
    }

    private Task RegisterAsync(string webSocketUri, string user, string password, double listenHz, object[] iceServers) =>
        // phone.start as BrowserPhone.StartAsync calls it, plus the ICE servers a browser behind a NAT needs.
        Page.EvaluateAsync("o => phone.start(o)", new
        {
            webSocketUri, domain = LabCall.Domain, user, password, toneHz = listenHz, sayHz = 0, iceServers,
        });

    /// <summary>
    /// Waits for <paramref name="caller"/>'s call to ring in the page, then answers it; fails at once
    /// (with both sides' stories) when the caller gives up first.
    /// </summary>
    public async Task AnswerAsync(LabAgent caller)
    {
        var gaveUp = caller.WaitForAsync("result", LabCall.Generous);
        var ringing = Phone.WaitForStateAsync("ringing", LabCall.Generous);
        if (await Task.WhenAny(ringing, gaveUp) == gaveUp)
            throw new Xunit.Sdk.XunitException($"the call never rang in the browser; Dialtone: {await gaveUp}\n{await Phone.DescribeAsync()}");
        await ringing;
        await Phone.AnswerAsync();
    }

    private Process StartPageServer(string pageDir)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["netns", "exec", Namespace, "python3", "-m", "http.server", PagePort.ToString(),
                     "--bind", "127.0.0.1", "--directory", pageDir])
            info.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("python3 is missing: run tests/infra/install-network.sh.", e);
        }
        // Drain its request log so it never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitListeningAsync(int port, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true };
            foreach (var a in (string[])["netns", "exec", Namespace, "ss", "-Hltn"])
                info.ArgumentList.Add(a);
            using var ss = Process.Start(info)!;
            var listening = await ss.StandardOutput.ReadToEndAsync();
            await ss.WaitForExitAsync();
            if (listening.Contains($"127.0.0.1:{port} ", StringComparison.Ordinal))
                return;
            if (_pageServer!.HasExited || clock.Elapsed > within)
                throw new InvalidOperationException($"the page server in {Namespace} is not listening on 127.0.0.1:{port} (python3 -m http.server)");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Phone is not null)
            await Phone.DisposeAsync();
        if (_browser is not null)
            await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_pageServer is not null)
        {
            try
            {
                if (!_pageServer.HasExited)
                    _pageServer.Kill(entireProcessTree: true);
                _pageServer.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
            }
            _pageServer.Dispose();
        }
    }
}
