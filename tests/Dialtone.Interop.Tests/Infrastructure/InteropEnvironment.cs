using Microsoft.Playwright;

namespace Dialtone.Interop.Tests.Infrastructure;

/// <summary>
/// Everything the browser side needs, made once for the whole suite: a test CA (trusted by this
/// Chromium only), the fake microphone's tone, the page server, and headless Debian Chromium
/// driven by Playwright. A missing browser, driver, certutil or JsSIP bundle fails the suite with
/// what to install — it is never skipped.
/// </summary>
public sealed class InteropEnvironment : IAsyncLifetime
{
    /// <summary>The tone the browser's fake microphone says.</summary>
    public const double BrowserSaysHz = ChromiumLaunch.MicrophoneHz;

    /// <summary>The Chromium the tests drive: Debian's package, never a downloaded browser.</summary>
    public const string ChromiumPath = ChromiumLaunch.ExecutablePath;

    private DirectoryInfo _scratch = null!;
    private PageServer _pages = null!;
    private IPlaywright _playwright = null!;
    private IBrowserContext _browser = null!;
    private IBrowserContext? _mdnsBrowser;
    private string _microphone = "";
    private string _home = "";

    internal TestCertificateAuthority CertificateAuthority { get; private set; } = null!;

    /// <summary>Chromium's version as its user agent reports it, e.g. 156.0.8078.108.</summary>
    public string ChromiumVersion { get; private set; } = "";

    /// <summary>The JsSIP version from its package.</summary>
    public string JsSipVersion { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: run tests/infra/install-browser.sh (Debian package chromium).");
        _scratch = Directory.CreateTempSubdirectory("dialtone-interop-");
        CertificateAuthority = TestCertificateAuthority.Create();
        var caPem = Path.Combine(_scratch.FullName, "test-ca.pem");
        await File.WriteAllTextAsync(caPem, CertificateAuthority.RootPem);
        var home = Path.Combine(_scratch.FullName, "home");
        await ChromiumNssTrust.TrustAsync(home, caPem, "Dialtone interop test CA");

        var microphone = Path.Combine(_scratch.FullName, "microphone.wav");
        ToneWav.Write(microphone, BrowserSaysHz);
        _pages = await PageServer.StartAsync();
        JsSipVersion = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(InteropPaths.JsSipPackageJson))
            .RootElement.GetProperty("version").GetString()!;

        _microphone = microphone;
        _home = home;
        _playwright = await Playwright.CreateAsync();
        _browser = await LaunchAsync("profile", hideLocalAddressesWithMdns: false);
        // The user agent string hides the minor version numbers; the DevTools protocol does not.
        var probe = await _browser.NewPageAsync();
        var devTools = await _browser.NewCDPSessionAsync(probe);
        var version = await devTools.SendAsync("Browser.getVersion");
        ChromiumVersion = version!.Value.GetProperty("product").GetString()!.Split('/')[1];
        await probe.CloseAsync();
    }

    private Task<IBrowserContext> LaunchAsync(string profile, bool hideLocalAddressesWithMdns) =>
        _playwright.Chromium.LaunchPersistentContextAsync(
            Path.Combine(_scratch.FullName, profile), // a fresh --user-data-dir
            new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true, // Playwright adds --headless
                Args = ChromiumArguments(_microphone, hideLocalAddressesWithMdns),
                Env = new Dictionary<string, string> { ["HOME"] = _home }, // its NSS database, with the test CA
                Permissions = hideLocalAddressesWithMdns ? [] : ["microphone"],
            });

    /// <summary>
    /// Makes the running Chromium trust one more CA (e.g. one a server under test made itself):
    /// Chromium reads its NSS database when it verifies a certificate, so no restart is needed.
    /// </summary>
    public async Task TrustAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 ca)
    {
        var pem = Path.Combine(_scratch.FullName, $"ca-{ca.Thumbprint}.pem");
        await File.WriteAllTextAsync(pem, ca.ExportCertificatePem());
        await ChromiumNssTrust.TrustAsync(_home, pem, $"test CA {ca.Thumbprint}");
    }

    /// <summary>The flags every run uses; see docs/interop.md for why each is there.</summary>
    internal static string[] ChromiumArguments(string microphoneWav, bool hideLocalAddressesWithMdns) =>
        ChromiumLaunch.Arguments(microphoneWav, hideLocalAddressesWithMdns);

    /// <summary>
    /// A new tab running the JsSIP softphone, registered as <paramref name="account"/> on <paramref name="server"/>.
    /// With <paramref name="hideLocalAddressesWithMdns"/> the tab is in a second Chromium (started on
    /// first use) that keeps its default of mDNS host candidates and has no media permission — Chromium
    /// shows real addresses to pages allowed to capture — so that tab says the tone from WebAudio.
    /// </summary>
    public async Task<BrowserPhone> OpenPhoneAsync(SipServerEndpoint server, SipAccount account, double listenHz, bool hideLocalAddressesWithMdns = false)
    {
        var browser = _browser;
        if (hideLocalAddressesWithMdns)
            browser = _mdnsBrowser ??= await LaunchAsync("profile-mdns", hideLocalAddressesWithMdns: true);
        var page = await browser.NewPageAsync();
        var phone = new BrowserPhone(page);
        try
        {
            await page.GotoAsync(_pages.Address.ToString());
            await phone.StartAsync(server, account, listenHz, hideLocalAddressesWithMdns ? BrowserSaysHz : 0);
            return phone;
        }
        catch
        {
            await phone.DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_mdnsBrowser is not null)
            await _mdnsBrowser.DisposeAsync();
        if (_browser is not null)
            await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_pages is not null)
            await _pages.DisposeAsync();
        CertificateAuthority?.Dispose();
        try
        {
            _scratch?.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be letting go of its profile; the OS cleans temp eventually.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class InteropCollection : ICollectionFixture<InteropEnvironment>
{
    public const string Name = "Chromium interop";
}
