using System.Text;
using Dialtone.WebRtc.Tests.Infrastructure;

namespace Dialtone.WebRtc.Tests.Native;

[Collection(NativeCollection.Name)]
public sealed class DataChannelTests
{
    [Fact]
    public async Task TextAndBinaryMessagesCrossBothWaysInOrder()
    {
        using var factory = new PeerConnectionFactory();
        await using var a = factory.CreatePeerConnection();
        await using var b = factory.CreatePeerConnection();

        var received = new TaskCompletionSource<DataChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.DataChannelReceived += (_, e) => received.TrySetResult(e.Channel);
        var channelA = a.CreateDataChannel("chat");
        Assert.Equal("chat", channelA.Label);

        await Loopback.ConnectAsync(a, b);
        var channelB = await received.Task.WaitAsync(Loopback.Timeout);
        Assert.Equal("chat", channelB.Label);
        await channelA.WaitForOpenAsync().WaitAsync(Loopback.Timeout);
        await channelB.WaitForOpenAsync().WaitAsync(Loopback.Timeout);
        Assert.Equal(channelA.Id, channelB.Id);
        Assert.NotNull(channelA.Id);

        await Exchange(channelA, channelB, "a→b");
        await Exchange(channelB, channelA, "b→a");
    }

    private static async Task Exchange(DataChannel from, DataChannel to, string tag)
    {
        const int Count = 100;
        for (int i = 0; i < Count; i++)
        {
            if (i % 2 == 0)
            {
                from.Send($"{tag} text {i} ✓");
            }
            else
            {
                from.Send(Binary(i));
            }
        }

        using var cts = new CancellationTokenSource(Loopback.Timeout);
        for (int i = 0; i < Count; i++)
        {
            using var message = await to.Messages.ReadAsync(cts.Token);
            if (i % 2 == 0)
            {
                Assert.False(message.IsBinary, $"message {i} should be text");
                Assert.Equal($"{tag} text {i} ✓", message.Text);
            }
            else
            {
                Assert.True(message.IsBinary, $"message {i} should be binary");
                Assert.Equal(Binary(i), message.Span.ToArray());
            }
        }
    }

    private static byte[] Binary(int i) => Enumerable.Range(0, 1 + i * 7).Select(x => (byte)(x ^ i)).ToArray();
}
