using System.Net;
using System.Text.RegularExpressions;
using Dialtone.Sip.Auth;
using Dialtone.Sip.Dialogs;
using Dialtone.Sip.IntegrationTests.Infrastructure;
using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Transport;
using Dialtone.Sip.UserAgent;

namespace Dialtone.Sip.IntegrationTests;

/// <summary>Transactions against sipp as UAS and UAC over UDP and TCP.</summary>
public sealed class SippTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static ISipTransport Transport(SipTransportKind kind, bool listen = false)
    {
        if (kind == SipTransportKind.Udp)
        {
            // Listening for sipp's requests is the server role: from whoever sends them.
            return new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0),
                options: new SipUdpTransportOptions { AcceptRequestsFromAnyone = listen });
        }
        var tcp = new SipStreamTransport(SipTransportKind.Tcp);
        if (listen)
            tcp.Listen(new IPEndPoint(IPAddress.Loopback, 0));
        return tcp;
    }

    private static int PortOf(ISipTransport transport) => transport switch
    {
        SipUdpTransport udp => udp.LocalEndPoint.Port,
        SipStreamTransport tcp => tcp.ListenEndPoint!.Port,
        _ => throw new ArgumentException("no port"),
    };

    private static SipUri SippUri(Sipp sipp, SipTransportKind kind) =>
        SipUri.Parse($"sip:sipp@127.0.0.1:{sipp.Port};transport={kind.ViaToken().ToLowerInvariant()}");

    private static (SipStack Stack, SipUserAgent Agent) Agent(ISipTransport transport, SipCredentials? credentials = null)
    {
        var stack = new SipStack([transport]);
        var agent = new SipUserAgent(stack, new SipUserAgentOptions
        {
            AddressOfRecord = SipUri.Parse("sip:alice@127.0.0.1"),
            Credentials = credentials,
        });
        return (stack, agent);
    }

    [Fact]
    public async Task Udp_client_retransmits_until_the_slow_server_answers()
    {
        using var sipp = await Sipp.StartServerAsync("uas-message-retransmission.xml", SipTransportKind.Udp);
        await using var transport = Transport(SipTransportKind.Udp);
        var (stack, agent) = Agent(transport);
        await using var _ = stack;

        var response = await agent.SendMessageAsync(SippUri(sipp, SipTransportKind.Udp), "are you slow?").WaitAsync(Wait);
        Assert.Equal(200, response.StatusCode);
        await sipp.AssertSucceededAsync();
        // Timer E (T1 = 500 ms) fires at 0.5 s and 1.5 s before the 2.5 s answer; on a loaded
        // machine a timer may run late, so require at least one retransmission, and no storm.
        var sent = Regex.Matches(sipp.MessageLog, @"^MESSAGE sip:", RegexOptions.Multiline).Count;
        Assert.InRange(sent, 2, 4);
    }

    [Theory]
    [InlineData(SipTransportKind.Udp)]
    [InlineData(SipTransportKind.Tcp)]
    public async Task Client_answers_a_401_challenge_that_sipp_verifies(SipTransportKind kind)
    {
        using var sipp = await Sipp.StartServerAsync("uas-message-401.xml", kind);
        await using var transport = Transport(kind);
        var (stack, agent) = Agent(transport, new SipCredentials("alice", "alice-secret"));
        await using var _ = stack;

        var response = await agent.SendMessageAsync(SippUri(sipp, kind), "let me in").WaitAsync(Wait);
        Assert.Equal(200, response.StatusCode);
        await sipp.AssertSucceededAsync();
    }

    [Theory]
    [InlineData(SipTransportKind.Udp)]
    [InlineData(SipTransportKind.Tcp)]
    public async Task Cancel_racing_the_200_ends_with_ack_and_bye(SipTransportKind kind)
    {
        using var sipp = await Sipp.StartServerAsync("uas-invite-cancel-race.xml", kind);
        await using var transport = Transport(kind);
        await using var stack = new SipStack([transport]);

        var target = SippUri(sipp, kind);
        var invite = SipRequestFactory.Create(SipMethods.Invite, target,
            new SipAddress(SipUri.Parse("sip:alice@127.0.0.1")), new SipAddress(target));
        invite.Headers.Add(SipHeaderNames.Contact, $"<sip:alice@{transport.LocalHostPort}>");
        var transaction = await stack.StartRequestAsync(invite).WaitAsync(Wait);
        while (true)
        {
            var provisional = await transaction.Responses.ReadAsync().AsTask().WaitAsync(Wait);
            if (provisional.StatusCode == 180)
                break;
        }

        var cancelResponse = await sipp.ExplainFailure(stack.CancelAsync(transaction).WaitAsync(Wait));
        Assert.Equal(200, cancelResponse?.StatusCode);
        var final = await transaction.FinalResponse.WaitAsync(Wait);
        Assert.Equal(200, final.StatusCode); // the 2xx won the race: the call exists and must be ended

        var dialog = SipDialog.CreateAsUac(transaction.Request, final);
        await stack.SendAckAsync(dialog.CreateAck(final)).WaitAsync(Wait);
        var bye = await stack.SendRequestAsync(dialog.CreateRequest(SipMethods.Bye)).WaitAsync(Wait);
        Assert.Equal(200, bye.StatusCode);
        await sipp.AssertSucceededAsync();
    }

    [Fact]
    public async Task Udp_server_answers_options_and_absorbs_a_retransmitted_message_after_a_lost_response()
    {
        await using var transport = Transport(SipTransportKind.Udp, listen: true);
        var (stack, agent) = Agent(transport);
        await using var _ = stack;
        var received = new List<SipTextMessage>();
        agent.MessageReceived += (_, m) => { lock (received) received.Add(m); };

        using var sipp = Sipp.StartClient("uac-options-message.xml", SipTransportKind.Udp, PortOf(transport), extra: "-pause_msg_ign");
        await sipp.AssertSucceededAsync();

        await Task.Delay(300); // a duplicate delivery would show up by now
        lock (received)
        {
            var message = Assert.Single(received);
            Assert.Equal("hello from sipp", message.Text.TrimEnd());
        }
        // sipp really sent the MESSAGE twice with one branch, and got the 200 both times.
        Assert.Equal(2, Regex.Matches(sipp.MessageLog, @"^MESSAGE sip:", RegexOptions.Multiline).Count);
        Assert.Equal(3, Regex.Matches(sipp.MessageLog, @"^SIP/2.0 200", RegexOptions.Multiline).Count);
    }

    [Fact]
    public async Task Tcp_server_answers_options_and_message_from_sipp()
    {
        await using var transport = Transport(SipTransportKind.Tcp, listen: true);
        var (stack, agent) = Agent(transport);
        await using var _ = stack;
        var received = new List<SipTextMessage>();
        agent.MessageReceived += (_, m) => { lock (received) received.Add(m); };

        using var sipp = Sipp.StartClient("uac-options-message-once.xml", SipTransportKind.Tcp, PortOf(transport));
        await sipp.AssertSucceededAsync();
        await Task.Delay(300);
        lock (received)
            Assert.Equal("hello from sipp", Assert.Single(received).Text.TrimEnd());
    }
}
