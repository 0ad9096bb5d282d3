using System.Diagnostics;
using System.Net;
using Dialtone.Sip.IntegrationTests.Infrastructure;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sessions;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.IntegrationTests.Sessions;

/// <summary>
/// The session layer's trunk features against sipp as the peer, over UDP on 127.0.0.1: 100rel/PRACK
/// with early media, late offer, RFC 4028 session timers (422, refresh by UPDATE, expiry BYE).
/// Intervals are 2 s so each test takes a few seconds; virtual-time tests check the exact timings.
/// </summary>
public sealed class SessionInteropTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private sealed class Agent : IAsyncDisposable
    {
        public Agent(Func<SessionAgentOptions, SessionAgentOptions>? configure = null)
        {
            Transport = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0),
                options: new SipUdpTransportOptions { AcceptRequestsFromAnyone = true });
            Stack = new SipStack([Transport], new SipStackOptions { SupportedExtensions = SessionAgent.RequirableExtensions });
            var options = new SessionAgentOptions
            {
                Identity = new SipAddress(SipUri.Parse("sip:alice@127.0.0.1")),
                Contact = new SipAddress(SipUri.Parse($"sip:alice@127.0.0.1:{Port}")),
                Media = Media,
            };
            Sessions = new SessionAgent(Stack, configure is null ? options : configure(options));
            Stack.TransactionUser = Sessions;
        }

        public SipUdpTransport Transport { get; }

        public SipStack Stack { get; }

        public SdpOnlyMedia Media { get; } = new();

        public SessionAgent Sessions { get; }

        public int Port => Transport.LocalEndPoint.Port;

        public async ValueTask DisposeAsync()
        {
            await Sessions.DisposeAsync();
            await Stack.DisposeAsync();
            await Transport.DisposeAsync();
        }
    }

    private static SessionAgentOptions ShortTimers(SessionAgentOptions o) =>
        o with { SessionTimers = new SessionTimerOptions { Interval = TimeSpan.FromSeconds(1), MinimumInterval = TimeSpan.FromSeconds(1) } };

    private static SipUri SippUri(Sipp sipp) => SipUri.Parse($"sip:sipp@127.0.0.1:{sipp.Port}");

    [Fact]
    public async Task A_reliable_183_with_early_media_is_answered_with_prack_then_the_call_is_answered_and_ended()
    {
        using var sipp = await Sipp.StartServerAsync("uas-100rel-early-media.xml", SipTransportKind.Udp);
        await using var alice = new Agent();
        var inviter = alice.Sessions.CreateInviter(SippUri(sipp));
        inviter.Invite();

        await sipp.ExplainFailure(inviter.Established.WaitAsync(Wait).ContinueWith(t => { t.GetAwaiter().GetResult(); return 0; }));
        Assert.Equal(["offer", "provisional answer", "answer"], alice.Media.Calls.ToArray());
        await inviter.ByeAsync().WaitAsync(Wait);
        await sipp.AssertSucceededAsync();
    }

    [Fact]
    public async Task An_invite_without_sdp_gets_our_offer_in_the_200_and_the_answer_from_the_ack()
    {
        await using var alice = new Agent();
        using var sipp = Sipp.StartClient("uac-late-offer.xml", SipTransportKind.Udp, alice.Port);
        var invitation = await sipp.ExplainFailure(alice.Sessions.IncomingSessions.ReadAsync().AsTask().WaitAsync(Wait));
        Assert.True(invitation.Request.Body.IsEmpty);
        await invitation.AcceptAsync().WaitAsync(Wait);
        Assert.Equal(["offer", "answer"], alice.Media.Calls.ToArray());

        var end = await invitation.Ended.WaitAsync(Wait);
        Assert.Equal(SessionEndReason.RemoteHangup, end.Reason);
        await sipp.AssertSucceededAsync();
    }

    [Fact]
    public async Task A_refreshing_caller_is_confirmed_and_when_it_stops_refreshing_we_end_the_session_in_time()
    {
        await using var alice = new Agent(ShortTimers);
        using var sipp = Sipp.StartClient("uac-session-timer-expiry.xml", SipTransportKind.Udp, alice.Port);
        var invitation = await sipp.ExplainFailure(alice.Sessions.IncomingSessions.ReadAsync().AsTask().WaitAsync(Wait));
        await invitation.AcceptAsync().WaitAsync(Wait);
        Assert.Equal(new SessionTimerInfo(TimeSpan.FromSeconds(2), LocalRefresher: false), invitation.SessionTimer);

        var end = await invitation.Ended.WaitAsync(Wait);
        Assert.Equal(SessionEndReason.SessionExpired, end.Reason);
        await sipp.AssertSucceededAsync();
    }

    [Fact]
    public async Task A_422_makes_us_ask_again_with_its_min_se_and_we_refresh_by_update_as_the_refresher()
    {
        using var sipp = await Sipp.StartServerAsync("uas-session-timer-422.xml", SipTransportKind.Udp);
        await using var alice = new Agent(ShortTimers);
        var inviter = alice.Sessions.CreateInviter(SippUri(sipp));
        inviter.Invite();
        await sipp.ExplainFailure(inviter.Established.WaitAsync(Wait).ContinueWith(t => { t.GetAwaiter().GetResult(); return 0; }));
        var timer = inviter.SessionTimer;
        Assert.Equal(new SessionTimerInfo(TimeSpan.FromSeconds(2), LocalRefresher: true), timer);

        // Each answered refresh settles the timer anew (a new value object): wait for two of them.
        var refreshes = 0;
        var clock = Stopwatch.StartNew();
        while (refreshes < 2)
        {
            Assert.True(clock.Elapsed < Wait, $"refreshes seen: {refreshes}\n{sipp.MessageLog}");
            await Task.Delay(10);
            if (!ReferenceEquals(inviter.SessionTimer, timer))
            {
                timer = inviter.SessionTimer;
                refreshes++;
            }
        }
        Assert.Equal(SessionState.Established, inviter.State);
        await inviter.ByeAsync().WaitAsync(Wait);
        await sipp.AssertSucceededAsync();
    }
}
