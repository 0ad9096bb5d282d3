using Dialtone.WebRtc.Tests.Infrastructure;

namespace Dialtone.WebRtc.Tests.Native;

/// <summary>Bad SDP and candidates give exceptions carrying libwebrtc's message; the connection survives.</summary>
[Collection(NativeCollection.Name)]
public sealed class ErrorTests
{
    [Fact]
    public async Task GarbageSdpAndAnswerWithoutOfferThrowAndTheConnectionStillWorks()
    {
        using var factory = new PeerConnectionFactory();
        await using var a = factory.CreatePeerConnection();
        await using var b = factory.CreatePeerConnection();
        var channel = a.CreateDataChannel("after-errors");
        var remote = RemoteChannel(b);

        var garbage = await Assert.ThrowsAsync<SessionDescriptionException>(
            () => b.SetRemoteDescriptionAsync(new SessionDescription(SdpType.Offer, "this is not an SDP\r\n")));
        Assert.Equal(WebRtcErrorCode.SdpParse, garbage.ResultCode);
        AssertCarriesNativeText(garbage);

        var offer = await a.CreateOfferAsync();
        var early = await Assert.ThrowsAsync<SessionDescriptionException>(
            () => b.SetRemoteDescriptionAsync(new SessionDescription(SdpType.Answer, offer.Sdp)));
        Assert.Equal(WebRtcErrorCode.SdpRejected, early.ResultCode);
        AssertCarriesNativeText(early);
        Assert.Equal(SignalingState.Stable, b.SignalingState);

        await Loopback.ConnectAsync(a, b);
        await AssertChannelWorks(channel, remote);
    }

    [Fact]
    public async Task CandidatesForUnknownMLinesOrUnparseableThrowAndTheConnectionStillWorks()
    {
        using var factory = new PeerConnectionFactory();
        await using var a = factory.CreatePeerConnection();
        await using var b = factory.CreatePeerConnection();
        var channel = a.CreateDataChannel("after-candidates");
        var remote = RemoteChannel(b);
        await Loopback.ConnectAsync(a, b);

        var unknown = await Assert.ThrowsAsync<IceCandidateException>(() => b.AddIceCandidateAsync(
            new IceCandidate("candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", "no-such-mid", 7)));
        Assert.Equal(WebRtcErrorCode.IceCandidate, unknown.ResultCode);
        AssertCarriesNativeText(unknown);

        var garbage = await Assert.ThrowsAsync<IceCandidateException>(() => b.AddIceCandidateAsync(
            new IceCandidate("candidate:not a candidate", "0", 0)));
        AssertCarriesNativeText(garbage);

        Assert.Equal(PeerConnectionState.Connected, b.ConnectionState);
        await AssertChannelWorks(channel, remote);
    }

    [Fact]
    public async Task OperationsAfterDisposeThrowObjectDisposed()
    {
        using var factory = new PeerConnectionFactory();
        var pc = factory.CreatePeerConnection();
        await pc.DisposeAsync();
        await pc.DisposeAsync(); // idempotent
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pc.CreateOfferAsync());
        Assert.Throws<ObjectDisposedException>(() => pc.SignalingState);
    }

    private static void AssertCarriesNativeText(WebRtcException e)
    {
        // ThrowHelper writes "<operation> failed (<code>): <native message>"; the native part must be there.
        int colon = e.Message.IndexOf("): ", StringComparison.Ordinal);
        Assert.True(colon > 0 && e.Message.Length - colon > 8, $"no native message in: {e.Message}");
    }

    private static Task<DataChannel> RemoteChannel(PeerConnection pc)
    {
        var received = new TaskCompletionSource<DataChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
        pc.DataChannelReceived += (_, e) => received.TrySetResult(e.Channel);
        return received.Task;
    }

    private static async Task AssertChannelWorks(DataChannel channel, Task<DataChannel> remoteChannel)
    {
        await channel.WaitForOpenAsync().WaitAsync(Loopback.Timeout);
        channel.Send("still alive");
        var remote = await remoteChannel.WaitAsync(Loopback.Timeout);
        using var message = await remote.Messages.ReadAsync().AsTask().WaitAsync(Loopback.Timeout);
        Assert.Equal("still alive", message.Text);
    }
}
