using Dialtone.Phone.Audio;
using Dialtone.Sip.Message;
using Dialtone.WebRtc;

namespace Dialtone.Phone.Tests.Calls;

/// <summary>A registered user agent in a test, with a <see cref="ToneProbe"/> on its virtual audio device.</summary>
internal sealed class Party : IAsyncDisposable
{
    private Party(UserAgent agent, double sayHz, double listenHz)
    {
        Agent = agent;
        Probe = new ToneProbe(agent.MediaFactory.VirtualAudio!, sayHz, listenHz);
    }

    public UserAgent Agent { get; }

    public ToneProbe Probe { get; }

    /// <summary>A registered party; <paramref name="sayHz"/> 0 keeps its microphone silent.</summary>
    public static async Task<Party> StartAsync(Uri server, string domain, string user, double sayHz, double listenHz, bool register = true,
        string? password = null, Sip.Transport.SipTlsOptions? tls = null)
    {
        var agent = await UserAgent.StartAsync(new UserAgentOptions
        {
            Server = server.ToString(),
            AddressOfRecord = SipUri.Parse($"sip:{user}@{domain}"),
            Credentials = password is null ? null : new Sip.Auth.SipCredentials(user, password),
            Tls = tls ?? new Sip.Transport.SipTlsOptions(),
            // Stationary test tones are what noise suppression exists to remove; keep the rest on.
            Audio = new PeerConnectionFactoryOptions
            {
                AudioDevice = AudioDeviceKind.Virtual,
                AudioProcessing = new AudioProcessingOptions { NoiseSuppression = false, AutoGainControl = false },
            },
        });
        if (register)
            await agent.RegisterAsync();
        return new Party(agent, sayHz, listenHz);
    }

    public Task<bool> HearsToneAsync(TimeSpan duration, TimeSpan within) => Probe.HearsToneAsync(duration, within);

    public string Digits() => Probe.Digits;

    /// <summary>Answers every incoming call; the task gives the first one.</summary>
    public Task<Call> AnswerCalls()
    {
        var first = new TaskCompletionSource<Call>(TaskCreationOptions.RunContinuationsAsynchronously);
        Agent.IncomingCall += async (_, e) =>
        {
            first.TrySetResult(e.Call);
            try
            {
                await e.Call.AnswerAsync();
            }
            catch (CallFailedException)
            {
                // The caller gave up first; the test looks at the call's end.
            }
        };
        return first.Task;
    }

    /// <summary>Hands over each incoming call without answering it.</summary>
    public Task<Call> NextIncomingCall()
    {
        var next = new TaskCompletionSource<Call>(TaskCreationOptions.RunContinuationsAsynchronously);
        Agent.IncomingCall += (_, e) => next.TrySetResult(e.Call);
        return next.Task;
    }

    public async ValueTask DisposeAsync()
    {
        await Probe.DisposeAsync();
        await Agent.DisposeAsync();
    }
}
