namespace Dialtone.Interop.Tests.Infrastructure;

/// <summary>
/// How the harness runs Chromium: Debian's package, the flags every run uses (docs/interop.md says why
/// each is there) and the tone its fake microphone says. Its own file so that
/// tests/Dialtone.Network.Tests can compile it in (with BrowserPhone and the rest of this folder except
/// the page server) to run the same softphone inside a network namespace.
/// </summary>
internal static class ChromiumLaunch
{
    /// <summary>Debian's package, never a downloaded browser.</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>The tone the browser's fake microphone says.</summary>
    public const double MicrophoneHz = 500;

    public static string[] Arguments(string microphoneWav, bool hideLocalAddressesWithMdns) =>
    [
        "--no-sandbox",
        "--use-fake-device-for-media-stream",
        $"--use-file-for-fake-audio-capture={microphoneWav}",
        // Microphone allowed without a prompt, and host candidates as plain addresses — unless a test
        // wants Chromium's default of hiding them behind random .local names a non-browser peer cannot resolve.
        .. hideLocalAddressesWithMdns ? Array.Empty<string>() : ["--use-fake-ui-for-media-stream", "--disable-features=WebRtcHideLocalIpsWithMdns"],
        "--autoplay-policy=no-user-gesture-required",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];
}
