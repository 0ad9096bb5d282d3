using Dialtone.Cli.Audio;
using Dialtone.Phone;
using Dialtone.Phone.Audio;
using Dialtone.Sip.Message;
using Dialtone.WebRtc;

namespace Dialtone.Cli.Tests.Commands;

/// <summary>The other end of the CLI's calls in tests: a registered user agent saying a tone, which answers, rejects or lets ring.</summary>
internal sealed class Answerer : IAsyncDisposable
{
    private readonly AudioPump _pump;

    private Answerer(UserAgent agent, double listenHz, Func<int, AudioSource>? voice)
    {
        Agent = agent;
        var device = agent.MediaFactory.VirtualAudio!;
        Hears = new ToneMeter(listenHz, device.SampleRate);
        _pump = new AudioPump(device, voice?.Invoke(device.SampleRate) ?? new ToneGenerator(SayHz, device.SampleRate).Fill, frame =>
        {
            Hears.Process(frame);
            lock (_heard)
            {
                foreach (var sample in frame)
                {
                    _heard[_heardAt] = sample;
                    _heardAt = (_heardAt + 1) % _heard.Length;
                }
            }
        });
    }

    /// <summary>What the answerer says (unless given another voice).</summary>
    public const double SayHz = 1000;

    /// <summary>What the answerer listens for (the tests' --play file).</summary>
    public const double ListenHz = 1600;

    public ToneMeter Hears { get; }

    private readonly short[] _heard = new short[48000 * 3];
    private int _heardAt;

    /// <summary>The last <paramref name="seconds"/> (at most 3) of what this party heard, 48 kHz mono.</summary>
    public short[] LastHeard(double seconds)
    {
        lock (_heard)
        {
            var count = (int)(48000 * Math.Min(seconds, 3));
            var result = new short[count];
            for (var i = 0; i < count; i++)
                result[i] = _heard[(_heardAt - count + i + _heard.Length) % _heard.Length];
            return result;
        }
    }

    private readonly DigitListener _digits = new();

    /// <summary>DTMF digits this party's calls received (Call.DtmfReceived: RFC 4733 events read from the RTP, SIP INFO).</summary>
    public string DigitsHeard => _digits.Digits;

    public UserAgent Agent { get; }

    /// <summary>The first incoming call, once it rang.</summary>
    public TaskCompletionSource<Call> Incoming { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="voice">What it says instead of the <see cref="SayHz"/> tone: a source for the given sample rate.</param>
    public static async Task<Answerer> StartAsync(Uri server, string domain, string user, Func<Call, Task> onCall, double listenHz = ListenHz,
        Func<int, AudioSource>? voice = null)
    {
        var agent = await UserAgent.StartAsync(new UserAgentOptions
        {
            Server = server.ToString(),
            AddressOfRecord = SipUri.Parse($"sip:{user}@{domain}"),
            Audio = new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual },
        });
        await agent.RegisterAsync();
        var answerer = new Answerer(agent, listenHz, voice);
        agent.IncomingCall += async (_, e) =>
        {
            answerer._digits.Follow(e.Call);
            answerer.Incoming.TrySetResult(e.Call);
            try
            {
                await onCall(e.Call);
            }
            catch (Exception ex) when (ex is CallFailedException or InvalidOperationException)
            {
                // The caller gave up first; the test looks at the CLI's exit code.
            }
        };
        return answerer;
    }

    public async ValueTask DisposeAsync()
    {
        await _pump.DisposeAsync();
        await Agent.DisposeAsync();
    }
}
