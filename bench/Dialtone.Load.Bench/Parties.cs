using System.Security.Cryptography.X509Certificates;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;
using Dialtone.WebRtc;

namespace Dialtone.Load.Bench;

/// <summary>The user agents of the bench: bots on a virtual device, no audio processing (AEC off), WSS with the test CA.</summary>
internal static class Parties
{
    public const string Domain = "dialtone.test";

    public static readonly IReadOnlyDictionary<string, string> Passwords = new Dictionary<string, string>
    {
        ["alice"] = "alice-secret",
        ["bob"] = "bob-secret",
    };

    /// <param name="perCall">Per-call audio (AudioDeviceKind.PerCall: each call its own source and sinks, the bot mode); else one virtual device for all calls.</param>
    /// <param name="opusSampleRate">PeerConnectionFactoryOptions.OpusSampleRate (48000: fullband, the default; 16000: wideband).</param>
    /// <param name="mediaThreads">PeerConnectionFactoryOptions.MediaThreads (0: libwebrtc's thread per task queue).</param>
    /// <param name="engineThreads">PeerConnectionFactoryOptions.EngineThreads (0: libwebrtc's network, worker and signalling threads; 1: one for all three).</param>
    public static Task<Phone.UserAgent> StartAsync(string wssUri, string caPemPath, string user, bool perCall, int opusSampleRate = 48000, int mediaThreads = 0, int engineThreads = 0) =>
        Phone.UserAgent.StartAsync(new Phone.UserAgentOptions
        {
            Server = wssUri,
            AddressOfRecord = SipUri.Parse($"sip:{user}@{Domain}"),
            Credentials = new SipCredentials(user, Passwords[user]),
            Tls = new SipTlsOptions { TrustedRootCertificates = new X509Certificate2Collection(X509Certificate2.CreateFromPem(File.ReadAllText(caPemPath))) },
            Audio = new PeerConnectionFactoryOptions
            {
                AudioDevice = perCall ? AudioDeviceKind.PerCall : AudioDeviceKind.Virtual,
                AudioProcessing = AudioProcessingOptions.Disabled,
                OpusSampleRate = opusSampleRate,
                MediaThreads = mediaThreads,
                EngineThreads = engineThreads,
            },
            // Per-call sources at 16 kHz, audio processing (AEC) off — CallAudioSourceOptions' default.
            Media = new Phone.Media.CallMediaOptions { CallAudio = new CallAudioSourceOptions { SampleRate = CallTones.SampleRate } },
        });

    /// <summary>Audio packets (sent, received) of a call so far.</summary>
    public static async Task<(long Sent, long Received)> PacketsAsync(Phone.Call call)
    {
        var stats = await call.GetStatsAsync();
        return (stats.OutboundRtp.Sum(s => s.PacketsSent ?? 0), stats.InboundRtp.Sum(s => s.PacketsReceived ?? 0));
    }
}
