using System.Net;
using Dialtone.Sip.IntegrationTests.Infrastructure;
using Dialtone.Sip.Message;
using Dialtone.Sip.Sessions;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.IntegrationTests.Sessions;

/// <summary>
/// 100rel as callee against sipp (RFC 3262): a caller that requires reliable provisional responses
/// gets a reliable 180 and a reliable 183 with the answer, PRACKs both, and only then our 200.
/// </summary>
public sealed class ReliableProvisionalInteropTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_caller_requiring_100rel_gets_reliable_180_and_183_pracks_both_and_the_call_is_answered()
    {
        await using var transport = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0),
            options: new SipUdpTransportOptions { AcceptRequestsFromAnyone = true });
        await using var stack = new SipStack([transport], new SipStackOptions { SupportedExtensions = SessionAgent.RequirableExtensions });
        var media = new SdpOnlyMedia();
        await using var agent = new SessionAgent(stack, new SessionAgentOptions
        {
            Identity = new SipAddress(SipUri.Parse("sip:alice@127.0.0.1")),
            Contact = new SipAddress(SipUri.Parse($"sip:alice@127.0.0.1:{transport.LocalEndPoint.Port}")),
            Media = media,
        });
        stack.TransactionUser = agent;

        using var sipp = Sipp.StartClient("uac-100rel-prack.xml", SipTransportKind.Udp, transport.LocalEndPoint.Port);
        var invitation = await sipp.ExplainFailure(agent.IncomingSessions.ReadAsync().AsTask().WaitAsync(Wait));
        Assert.Contains("100rel", invitation.Request.Headers[SipHeaderNames.Require]);
        // Early media: goes out once sipp has PRACKed the 180 (one reliable 18x at a time).
        await sipp.ExplainFailure(invitation.ProgressAsync().WaitAsync(Wait).ContinueWith(t => { t.GetAwaiter().GetResult(); return 0; }));
        // The 200 waits for sipp's PRACK of the 183.
        await sipp.ExplainFailure(invitation.AcceptAsync().WaitAsync(Wait).ContinueWith(t => { t.GetAwaiter().GetResult(); return 0; }));
        Assert.Equal(["remote offer", "answer created"], media.Calls.ToArray());

        var end = await invitation.Ended.WaitAsync(Wait);
        Assert.Equal(SessionEndReason.RemoteHangup, end.Reason);
        await sipp.AssertSucceededAsync();
    }
}
