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
        // Digits as the peer signalled them (RFC 4733 events or SIP INFO), on every incoming call.
        agent.IncomingCall += (_, e) => e.Call.DtmfReceived += (_, d) =>
        {
            lock (_digits)
                _digits.Append(d.Digit);
        };
    }

    private readonly System.Text.StringBuilder _digits = new();

    public UserAgent Agent { get; }

    public ToneProbe Probe { get; }

    /// <summary>
    /// A registered party; <paramref name="sayHz"/> 0 keeps its microphone silent; <paramref name="configure"/>
    /// changes the test's options (e.g. short session timers or keep-alives).
    /// </summary>
    public static async Task<Party> StartAsync(Uri server, string domain, string user, double sayHz, double listenHz, bool register = true,
        string? password = null, Sip.Transport.SipTlsOptions? tls = null, Func<UserAgentOptions, UserAgentOptions>? configure = null)
    {
        var options = new UserAgentOptions
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
        };
        var agent = await UserAgent.StartAsync(configure is null ? options : configure(options));
        if (register)
            await agent.RegisterAsync();
        return new Party(agent, sayHz, listenHz);
    }

    public Task<bool> HearsToneAsync(TimeSpan duration, TimeSpan within) => Probe.HearsToneAsync(duration, within);

    /// <summary>The digits reported by <see cref="Call.DtmfReceived"/> on this party's incoming calls, in order.</summary>
    public string Digits()
    {
        lock (_digits)
            return _digits.ToString();
    }

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

    /// <summary>Audio packets the call has received so far (all inbound RTP streams).</summary>
    public static async Task<long> PacketsReceivedAsync(Call call) =>
        (await call.GetStatsAsync()).InboundRtp.Sum(s => s.PacketsReceived ?? 0);

    public async ValueTask DisposeAsync()
    {
        await Probe.DisposeAsync();
        await Agent.DisposeAsync();
    }
}
