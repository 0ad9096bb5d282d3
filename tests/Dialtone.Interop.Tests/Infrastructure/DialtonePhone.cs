using System.Security.Cryptography.X509Certificates;
using Dialtone.Phone;
using Dialtone.Phone.Audio;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transport;
using Dialtone.WebRtc;

namespace Dialtone.Interop.Tests.Infrastructure;

/// <summary>
/// Dialtone's side: a registered <see cref="UserAgent"/> whose virtual audio device says one tone
/// and listens for another (and for DTMF) with a <see cref="ToneProbe"/>.
/// </summary>
public sealed class DialtonePhone : IAsyncDisposable
{
    private DialtonePhone(UserAgent agent, double sayHz, double listenHz)
    {
        Agent = agent;
        Probe = new ToneProbe(agent.MediaFactory.VirtualAudio!, sayHz, listenHz);
    }

    public UserAgent Agent { get; }

    public ToneProbe Probe { get; }

    /// <param name="sayHz">The tone Dialtone sends; 0 for silence.</param>
    public static async Task<DialtonePhone> StartAsync(SipServerEndpoint server, SipAccount account, double sayHz, double listenHz)
    {
        var agent = await UserAgent.StartAsync(new UserAgentOptions
        {
            Server = server.WebSocketUri.ToString(),
            AddressOfRecord = SipUri.Parse(server.UriOf(account.User)),
            Credentials = account.Password is { } password ? new SipCredentials(account.User, password) : null,
            Tls = new SipTlsOptions
            {
                TrustedRootCertificates = server.TrustedRoot is { } root ? new X509Certificate2Collection(root) : null,
            },
            // Stationary test tones are what noise suppression exists to remove; echo cancelling stays on.
            Audio = new PeerConnectionFactoryOptions
            {
                AudioDevice = AudioDeviceKind.Virtual,
                AudioProcessing = new AudioProcessingOptions { NoiseSuppression = false, AutoGainControl = false },
            },
        });
        try
        {
            await agent.RegisterAsync();
        }
        catch
        {
            await agent.DisposeAsync();
            throw;
        }
        return new DialtonePhone(agent, sayHz, listenHz);
    }

    /// <summary>The next incoming call, not answered.</summary>
    public Task<Call> NextIncomingCallAsync()
    {
        var next = new TaskCompletionSource<Call>(TaskCreationOptions.RunContinuationsAsynchronously);
        EventHandler<IncomingCallEventArgs>? handler = null;
        handler = (_, e) =>
        {
            Agent.IncomingCall -= handler;
            next.TrySetResult(e.Call);
        };
        Agent.IncomingCall += handler;
        return next.Task;
    }

    public async ValueTask DisposeAsync()
    {
        await Probe.DisposeAsync();
        await Agent.DisposeAsync();
    }
}
