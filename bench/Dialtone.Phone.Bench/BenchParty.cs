using Dialtone.Phone;
using Dialtone.Phone.Audio;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;
using Dialtone.WebRtc;

namespace Dialtone.Phone.Bench;

/// <summary>A registered user agent that answers every call, with a tone probe on its audio.</summary>
internal sealed class BenchParty : IAsyncDisposable
{
    private BenchParty(UserAgent agent, ToneProbe probe)
    {
        Agent = agent;
        Probe = probe;
    }

    public UserAgent Agent { get; }

    public ToneProbe Probe { get; }

    public static async Task<BenchParty> StartAsync(BenchSettings settings, string user, double sayHz, double listenHz, bool answer)
    {
        var agent = await UserAgent.StartAsync(new UserAgentOptions
        {
            Server = settings.Server,
            AddressOfRecord = SipUri.Parse($"sip:{user}@{settings.Domain}"),
            Credentials = settings.PasswordOf(user) is { } password ? new SipCredentials(user, password) : null,
            Audio = new PeerConnectionFactoryOptions
            {
                AudioDevice = AudioDeviceKind.Virtual,
                AudioProcessing = new AudioProcessingOptions { NoiseSuppression = false, AutoGainControl = false },
            },
        });
        await agent.RegisterAsync();
        if (answer)
            agent.IncomingCall += (_, e) => _ = AnswerQuietlyAsync(e.Call);
        return new BenchParty(agent, new ToneProbe(agent.MediaFactory.VirtualAudio!, sayHz, listenHz));
    }

    private static async Task AnswerQuietlyAsync(Call call)
    {
        try
        {
            await call.AnswerAsync();
        }
        catch (CallFailedException)
        {
            // Counted by the caller's side.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Probe.DisposeAsync();
        await Agent.DisposeAsync();
    }
}

internal sealed record BenchSettings(string Server, string Domain, Func<string, string?> PasswordOf, int SetupCalls, int MaxConcurrent, int Step);
