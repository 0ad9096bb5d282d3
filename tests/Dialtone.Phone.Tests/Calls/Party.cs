using Dialtone.Phone.Audio;
using Dialtone.Sip.Message;
using Dialtone.WebRtc;

namespace Dialtone.Phone.Tests.Calls;

/// <summary>
/// A user agent in a test with its audio: it says a steady tone into its virtual microphone and
/// measures the peer's tone in what it hears.
/// </summary>
internal sealed class Party : IAsyncDisposable
{
    private Party(UserAgent agent, double sayHz, double listenHz)
    {
        Agent = agent;
        var device = agent.MediaFactory.VirtualAudio!;
        var voice = sayHz > 0 ? new ToneGenerator(sayHz, device.SampleRate) : null;
        Hears = new ToneMeter(listenHz, device.SampleRate);
        Dtmf = new DtmfDetector(device.SampleRate);
        Pump = new AudioPump(device, frame => { if (voice is null) frame.Clear(); else voice.Fill(frame); }, frame =>
        {
            Hears.Process(frame);
            if (Dtmf.Process(frame) is { } digit)
                lock (DigitsHeard)
                    DigitsHeard.Add(digit);
        });
    }

    public UserAgent Agent { get; }

    public ToneMeter Hears { get; }

    public DtmfDetector Dtmf { get; }

    public List<char> DigitsHeard { get; } = [];

    public AudioPump Pump { get; }

    /// <summary>A registered party; <paramref name="sayHz"/> 0 keeps its microphone silent.</summary>
    public static async Task<Party> StartAsync(Uri server, string domain, string user, double sayHz, double listenHz, bool register = true)
    {
        var agent = await UserAgent.StartAsync(new UserAgentOptions
        {
            Server = server.ToString(),
            AddressOfRecord = SipUri.Parse($"sip:{user}@{domain}"),
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

    /// <summary>Waits until the peer's tone was heard for <paramref name="duration"/> in total.</summary>
    public async Task<bool> HearsToneAsync(TimeSpan duration, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!Hears.Heard(duration))
        {
            if (DateTime.UtcNow > deadline)
                return false;
            await Task.Delay(50);
        }
        return true;
    }

    public string Digits()
    {
        lock (DigitsHeard)
            return new string(DigitsHeard.ToArray());
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

    public async ValueTask DisposeAsync()
    {
        await Pump.DisposeAsync();
        await Agent.DisposeAsync();
    }
}
