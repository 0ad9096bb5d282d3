using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Dialtone.Legacy.Tests.Phone;
using Dialtone.Legacy.Tests.Rtp;
using Dialtone.Phone.Media.Legacy;
using Dialtone.Sip.IntegrationTests.Infrastructure;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sdp;
using Dialtone.Sip.Sessions;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Transport;
using Dialtone.WebRtc;

namespace Dialtone.Legacy.Tests.Peers;

/// <summary>
/// The legacy media handler against a real 100rel peer: sipp (tests/infra/sipp/legacy-uas-100rel-same-answer.xml,
/// <c>-rtp_echo</c>) answers our plain RTP offer in a reliable 183, waits 3 s after our PRACK, then sends the
/// same SDP again in the 200. The session layer hands the handler both (provisional, then final); the
/// handler takes the repeat as no change: early media flows from the 183 on (we hear our own tone echoed),
/// and the 200 neither renegotiates nor restarts the stream — same negotiation, same SSRCs, packet counts
/// carrying on — and audio keeps flowing. Over UDP on 127.0.0.1, no registrar (sipp is called directly).
/// </summary>
public sealed class Sipp100relSameAnswerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>The real handler, with the answers it was given recorded.</summary>
    private sealed class RecordingHandler(LegacyMediaHandler inner) : ISessionMediaHandler
    {
        public LegacyMediaHandler Inner { get; } = inner;

        public ConcurrentQueue<string> Answers { get; } = new();

        public string ContentType => Inner.ContentType;

        public event EventHandler<SessionMediaFailedEventArgs>? MediaFailed
        {
            add => Inner.MediaFailed += value;
            remove => Inner.MediaFailed -= value;
        }

        public Task<string> CreateOfferAsync(SessionOfferOptions options, CancellationToken cancellationToken) => Inner.CreateOfferAsync(options, cancellationToken);

        public Task SetRemoteAnswerAsync(string body, bool provisional, CancellationToken cancellationToken)
        {
            Answers.Enqueue(provisional ? "provisional" : "final");
            return Inner.SetRemoteAnswerAsync(body, provisional, cancellationToken);
        }

        public Task<RemoteOfferInfo> SetRemoteOfferAsync(string body, CancellationToken cancellationToken) => Inner.SetRemoteOfferAsync(body, cancellationToken);

        public Task<string> CreateAnswerAsync(CancellationToken cancellationToken) => Inner.CreateAnswerAsync(cancellationToken);

        public Task RollbackAsync(CancellationToken cancellationToken) => Inner.RollbackAsync(cancellationToken);

        public ValueTask DisposeAsync() => Inner.DisposeAsync();
    }

    private sealed class Factory(RecordingHandler handler) : ISessionMediaHandlerFactory
    {
        public ISessionMediaHandler Create(SessionMediaRequest request) => handler;
    }

    [Fact]
    public async Task The_same_answer_in_a_reliable_183_and_the_200_is_no_change_and_audio_flows_throughout()
    {
        using var engine = new PeerConnectionFactory(new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = AudioProcessingOptions.Disabled });
        var handler = new RecordingHandler(new LegacyMediaHandler(engine,
            new LegacyMediaOptions { AllowUnencryptedMedia = true, LocalAddress = IPAddress.Loopback, MediaTimeout = null }, MediaProfile.Plain));
        await using var transport = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0), options: new SipUdpTransportOptions { AcceptRequestsFromAnyone = true });
        await using var stack = new SipStack([transport], new SipStackOptions { SupportedExtensions = SessionAgent.RequirableExtensions });
        await using var sessions = new SessionAgent(stack, new SessionAgentOptions
        {
            Identity = new SipAddress(SipUri.Parse("sip:alice@127.0.0.1")),
            Contact = new SipAddress(SipUri.Parse($"sip:alice@127.0.0.1:{transport.LocalEndPoint.Port}")),
            Media = new Factory(handler),
        });
        stack.TransactionUser = sessions;
        using var pump = new TonePump(engine.VirtualAudio!, 1000);
        using var sipp = await Sipp.StartServerAsync("legacy-uas-100rel-same-answer.xml", SipTransportKind.Udp, 1,
            "-mi", "127.0.0.1", "-mp", FreePorts.Next().ToString(CultureInfo.InvariantCulture), "-rtp_echo");

        var inviter = sessions.CreateInviter(SipUri.Parse($"sip:sipp@127.0.0.1:{sipp.Port}"));
        inviter.Invite();

        // Early media: the 183's answer is applied and sipp echoes our tone before the 200 comes.
        Assert.True(await Tones.EventuallyAsync(() => inviter.State == SessionState.EarlyMedia, seconds: 15), "no early media state\n" + sipp.MessageLog);
        var early = handler.Inner.Negotiated;
        Assert.NotNull(early);
        Assert.True(await Tones.EventuallyAsync(() => Hears(pump), seconds: 10), "no echoed tone during early media");
        var before = handler.Inner.GetStatistics();
        Assert.False(inviter.Established.IsCompleted, "the 200 came before early media was checked (sipp waits 3 s)");

        await sipp.ExplainFailure(inviter.Established.WaitAsync(Wait).ContinueWith(t => { t.GetAwaiter().GetResult(); return 0; }));
        Assert.Equal(["provisional", "final"], handler.Answers.ToArray());
        Assert.Same(early, handler.Inner.Negotiated); // the repeated answer was not negotiated again
        var after = handler.Inner.GetStatistics();
        Assert.Equal(before.LocalSsrc, after.LocalSsrc);
        Assert.Equal(before.RemoteSsrc, after.RemoteSsrc);
        Assert.True(after.RtpPacketsSent >= before.RtpPacketsSent && after.RtpPacketsReceived >= before.RtpPacketsReceived);

        // Audio keeps flowing after the 200: a second's worth more packets each way, and the tone.
        Assert.True(await Tones.EventuallyAsync(() =>
        {
            var now = handler.Inner.GetStatistics();
            return now.RtpPacketsSent > after.RtpPacketsSent + 50 && now.RtpPacketsReceived > after.RtpPacketsReceived + 50;
        }, seconds: 10), "RTP stopped after the 200");
        Assert.True(Hears(pump), "no echoed tone after the 200");
        var final = handler.Inner.GetStatistics();
        Assert.Equal(0UL, final.DroppedMalformed + final.DroppedUnknownPayload + final.DroppedStranger);

        await inviter.ByeAsync().WaitAsync(Wait);
        await sipp.AssertSucceededAsync();
    }

    private static bool Hears(TonePump pump)
    {
        short[] heard = pump.Recent(24000);
        return heard.Length == 24000 && TonePump.Amplitude(heard, 1000) > 500;
    }
}
