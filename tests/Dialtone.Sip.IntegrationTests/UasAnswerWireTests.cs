using System.Net;
using System.Threading.Channels;
using Dialtone.Sip.IntegrationTests.Infrastructure;
using Dialtone.Sip.IntegrationTests.Sessions;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sessions;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Transport;
using Dialtone.Sip.UserAgent;

namespace Dialtone.Sip.IntegrationTests;

/// <summary>
/// RFC 3261 §8.2 answers on the wire: sipp sends raw requests (a non-SDP INVITE body, an unknown
/// Require, RFC 2543 requests without a magic-cookie branch and a CANCEL matched to one,
/// a missing From, SIP/7.0, a broken request line) to a Dialtone user agent on a real UDP socket or
/// TCP listener, wired as <c>Dialtone.Phone.UserAgent</c> wires it (stack with the session layer's
/// extensions, out-of-dialog agent in front of the session agent). The scenario checks each answer
/// (tests/infra/sipp/uac-rfc3261-uas-answers.xml); the test checks what reached the application.
/// The same rules are unit-tested on a loopback transport in Dialtone.Sip.Tests (UasRequestCheckTests).
/// </summary>
public sealed class UasAnswerWireTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>The stack, out-of-dialog agent and session agent on one listening transport, as the Phone wires them.</summary>
    private sealed class DialtoneAgent : IAsyncDisposable
    {
        private readonly ISipTransport _transport;
        private readonly SipStack _stack;

        public DialtoneAgent(SipTransportKind kind)
        {
            if (kind == SipTransportKind.Udp)
            {
                var udp = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0), options: new SipUdpTransportOptions { AcceptRequestsFromAnyone = true });
                (_transport, Port) = (udp, udp.LocalEndPoint.Port);
            }
            else
            {
                var tcp = new SipStreamTransport(SipTransportKind.Tcp);
                tcp.Listen(new IPEndPoint(IPAddress.Loopback, 0));
                (_transport, Port) = (tcp, tcp.ListenEndPoint!.Port);
            }
            _stack = new SipStack([_transport], new SipStackOptions { SupportedExtensions = SessionAgent.RequirableExtensions });
            Sessions = new SessionAgent(_stack, new SessionAgentOptions
            {
                Identity = new SipAddress(SipUri.Parse("sip:dialtone@127.0.0.1")),
                Contact = new SipAddress(SipUri.Parse($"sip:dialtone@127.0.0.1:{Port};transport={kind.ViaToken().ToLowerInvariant()}")),
                Media = new SdpOnlyMedia(),
            });
            var agent = new SipUserAgent(_stack, new SipUserAgentOptions { AddressOfRecord = SipUri.Parse("sip:dialtone@127.0.0.1") }) { Next = Sessions };
            // Every session the agent creates, before it rings. Not IncomingSessions: sipp cancels as soon as
            // the 180 arrives, and a call cancelled before the agent queues it is (rightly) never queued.
            Sessions.SessionCreated = s => Created.Writer.TryWrite(s);
            agent.MessageReceived += (_, m) => Messages.Writer.TryWrite(m);
            _stack.TransactionUser = agent;
        }

        public int Port { get; }

        public SessionAgent Sessions { get; }

        public Channel<SipTextMessage> Messages { get; } = Channel.CreateUnbounded<SipTextMessage>();

        public Channel<Session> Created { get; } = Channel.CreateUnbounded<Session>();

        public async ValueTask DisposeAsync()
        {
            await Sessions.DisposeAsync();
            await _stack.DisposeAsync();
            await _transport.DisposeAsync();
        }
    }

    // Over TCP sipp sends everything on one connection: the 505 and 400 must come back on it, and the
    // good OPTIONS after them (step 8) proves the bad request lines did not cost the connection.
    [Theory]
    [InlineData(SipTransportKind.Udp)]
    [InlineData(SipTransportKind.Tcp)]
    public async Task Raw_requests_get_the_rfc3261_answers_and_an_rfc2543_cancel_is_matched(SipTransportKind kind)
    {
        await using var dialtone = new DialtoneAgent(kind);
        using var sipp = Sipp.StartClient("uac-rfc3261-uas-answers.xml", kind, dialtone.Port);
        // The RFC 2543 INVITE rings (nobody answers) until sipp cancels it.
        var invitation = Assert.IsType<Invitation>(await sipp.ExplainFailure(dialtone.Created.Reader.ReadAsync().AsTask().WaitAsync(Wait)));
        await sipp.AssertSucceededAsync();

        Assert.Equal("4 INVITE", $"{invitation.Request.CSeq!.Number} {invitation.Request.Method}");
        Assert.False(invitation.Request.TopVia!.HasRfc3261Branch);
        // The CANCEL with the same Via ended that session (§9.2: matched to it by its fields).
        var end = await invitation.Ended.WaitAsync(Wait);
        Assert.Equal((SessionEndReason.RemoteHangup, 487), (end.Reason, end.StatusCode));
        // Only that INVITE made a session: the one with a text/plain body was refused by the stack.
        Assert.False(dialtone.Created.Reader.TryRead(out var other), $"another session was created: {other}");
        var message = await dialtone.Messages.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        Assert.Equal("rfc 2543 hello", message.Text.TrimEnd());
        // Nothing else came up: the unknown Require, the missing From, SIP/7.0 and the bad request line were answered below.
        Assert.False(dialtone.Messages.Reader.TryRead(out _));
    }
}
