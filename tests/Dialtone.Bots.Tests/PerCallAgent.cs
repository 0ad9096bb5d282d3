using Dialtone.Phone;
using Dialtone.Sip.Message;
using Dialtone.WebRtc;

namespace Dialtone.Bots.Tests;

/// <summary>A registered user agent in per-call mode (no device): each call has its own source and sinks.</summary>
internal static class PerCallAgent
{
    /// <param name="engineThreads">PeerConnectionFactoryOptions.EngineThreads (1: the bot's one libwebrtc thread).</param>
    public static async Task<UserAgent> StartAsync(Uri server, string domain, string user, int sampleRate = 16000,
        Func<Sip.Sessions.SessionMediaRequest, CallAudioSourceOptions>? choose = null, int engineThreads = 0)
    {
        var agent = await UserAgent.StartAsync(new UserAgentOptions
        {
            Server = server.ToString(),
            AddressOfRecord = SipUri.Parse($"sip:{user}@{domain}"),
            Audio = new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.PerCall, EngineThreads = engineThreads },
            Media = new Phone.Media.CallMediaOptions { CallAudio = new CallAudioSourceOptions { SampleRate = sampleRate }, ChooseCallAudio = choose },
        });
        await agent.RegisterAsync();
        return agent;
    }
}
