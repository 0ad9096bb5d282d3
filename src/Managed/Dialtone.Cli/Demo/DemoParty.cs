using Dialtone.Cli.Audio;
using Dialtone.Cli.Views;
using Dialtone.Phone;
using Dialtone.Phone.Audio;
using Dialtone.Sip.Message;
using Dialtone.WebRtc;
using Microsoft.Extensions.Logging;

namespace Dialtone.Cli.Demo;

/// <summary>
/// One of the demo's two people: a user agent on the embedded server whose virtual microphone says a
/// steady tone and whose speaker is listened to for the other person's tone; the DTMF digits it
/// receives come from its call (<see cref="FollowDigits"/>).
/// </summary>
internal sealed class DemoParty : CallMonitor, IAsyncDisposable
{
    private readonly ToneGenerator _voice;
    private readonly DigitListener _dtmf;
    private volatile bool _speaking = true;
    private AudioPump? _pump;

    private DemoParty(string name, UserAgent agent, double sayHz, double listenHz) : base(name)
    {
        Agent = agent;
        SayHz = sayHz;
        var device = agent.MediaFactory.VirtualAudio!;
        _voice = new ToneGenerator(sayHz, device.SampleRate);
        Hears = new ToneMeter(listenHz, device.SampleRate);
        _dtmf = new DigitListener();
    }

    public UserAgent Agent { get; }

    public double SayHz { get; }

    /// <summary>Measures the other party's tone in what this party hears.</summary>
    public ToneMeter Hears { get; }

    /// <summary>Heard long enough to be sure it is not a fluke.</summary>
    public static TimeSpan Enough { get; } = TimeSpan.FromMilliseconds(500);

    public bool HeardTone => Hears.Heard(Enough);

    public string DigitsHeard => _dtmf.Digits;

    /// <summary>Collects the digits <paramref name="call"/> receives (RFC 4733 events, SIP INFO).</summary>
    public void FollowDigits(Call call) => _dtmf.Follow(call);

    /// <summary>Whether the microphone carries the tone (silence while dialling, like a person).</summary>
    public bool Speaking
    {
        get => _speaking;
        set => _speaking = value;
    }

    /// <summary>The audio settings of the demo: echo canceller on; noise suppression and gain control off, because they exist to remove or flatten steady tones like ours.</summary>
    public static PeerConnectionFactoryOptions Audio { get; } = new()
    {
        AudioDevice = AudioDeviceKind.Virtual,
        AudioProcessing = new AudioProcessingOptions { EchoCancellation = true, NoiseSuppression = false, AutoGainControl = false },
    };

    public static async Task<DemoParty> StartAsync(string name, Uri server, string domain, double sayHz, double listenHz, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var agent = await UserAgent.StartAsync(new UserAgentOptions
        {
            Server = server.ToString(),
            AddressOfRecord = SipUri.Parse($"sip:{name}@{domain}"),
            DisplayName = char.ToUpperInvariant(name[0]) + name[1..],
            Audio = Audio,
            LoggerFactory = loggers,
        }, cancellationToken).ConfigureAwait(false);
        var party = new DemoParty(name, agent, sayHz, listenHz);
        party._pump = new AudioPump(agent.MediaFactory.VirtualAudio!, party.Say, party.Listen);
        return party;
    }

    private void Say(Span<short> frame)
    {
        if (_speaking)
            _voice.Fill(frame);
        else
            frame.Clear();
    }

    private void Listen(ReadOnlySpan<short> frame)
    {
        Hears.Process(frame);
    }

    protected override PartyStatus Decorate(PartyStatus status) => status with { ToneHeard = HeardTone, DigitsHeard = DigitsHeard };

    public async ValueTask DisposeAsync()
    {
        if (_pump is not null)
            await _pump.DisposeAsync().ConfigureAwait(false);
        await Agent.DisposeAsync().ConfigureAwait(false);
    }
}
