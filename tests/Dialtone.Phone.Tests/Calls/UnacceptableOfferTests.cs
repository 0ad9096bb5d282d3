using Dialtone.Server;
using Dialtone.Sip.Message;
using Dialtone.Tests.Shared;
using Xunit.Abstractions;

namespace Dialtone.Phone.Tests.Calls;

/// <summary>
/// The carrier INVITE from the seed document (FreeSWITCH, plain RTP/AVP, no ICE or DTLS) reaches a
/// Dialtone user agent: libwebrtc cannot take that offer, so the answer is 488 with a Warning 305
/// carrying libwebrtc's reason — no ringing, no hang.
/// </summary>
public sealed class UnacceptableOfferTests(ITestOutputHelper output) : IAsyncLifetime
{
    private EmbeddedSipServer _server = null!;
    private Party _bob = null!;

    public async Task InitializeAsync()
    {
        _server = await EmbeddedSipServer.StartAsync();
        _bob = await Party.StartAsync(_server.WebSocketUri, _server.Domain, "bob", sayHz: 0, listenHz: 1000);
    }

    public async Task DisposeAsync()
    {
        await _bob.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Plain_RTP_offer_from_the_fixture_is_answered_488_with_libwebrtcs_reason()
    {
        var rang = false;
        _bob.Agent.IncomingCall += (_, _) => rang = true;
        await using var carrier = await RawSipClient.ConnectAsync(_server.WebSocketUri, "carrier");

        var invite = (SipRequest)SipParser.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "plivo-invite.sip")));
        // Delivered as the carrier's own request over its WebSocket: its Via, bob's address, no foreign routes.
        invite.RequestUri = SipUri.Parse($"sip:bob@{_server.Domain}");
        invite.Headers.Remove(SipHeaderNames.RecordRoute);
        invite.Headers.Remove(SipHeaderNames.Via);
        invite.PushVia(new SipVia("WS", carrier.Host, null, "z9hG4bKplivo1"));
        await carrier.SendAsync(invite.ToString());

        SipResponse final;
        do
            final = (SipResponse)await carrier.ReceiveAsync(TimeSpan.FromSeconds(20));
        while (final.IsProvisional && final.StatusCode == 100);

        Assert.Equal(488, final.StatusCode);
        var warning = final.Headers[SipHeaderNames.Warning];
        Assert.NotNull(warning);
        output.WriteLine($"Warning: {warning}");
        Assert.StartsWith("305 ", warning);
        Assert.Matches("\"[^\"]{10,}\"", warning); // libwebrtc's own reason, quoted
        Assert.False(rang);
        Assert.Empty(_bob.Agent.Calls);
    }
}
