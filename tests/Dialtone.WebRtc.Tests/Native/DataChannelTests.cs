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

    [Fact]
    public async Task NegotiatedUnorderedChannelWithRetransmitLimitCarriesMessages()
    {
        using var factory = new PeerConnectionFactory();
        await using var a = factory.CreatePeerConnection();
        await using var b = factory.CreatePeerConnection();
        var options = new DataChannelOptions { Ordered = false, MaxRetransmits = 0, NegotiatedId = 7, Protocol = "x-test" };
        var channelA = a.CreateDataChannel("side", options);
        var channelB = b.CreateDataChannel("side", options);
        bool announced = false;
        b.DataChannelReceived += (_, _) => announced = true;

        await Loopback.ConnectAsync(a, b);
        await channelA.WaitForOpenAsync().WaitAsync(Loopback.Timeout);
        await channelB.WaitForOpenAsync().WaitAsync(Loopback.Timeout);
        Assert.Equal(7, channelA.Id);
        Assert.Equal(7, channelB.Id);

        channelA.Send("over a negotiated channel");
        using var message = await channelB.Messages.ReadAsync().AsTask().WaitAsync(Loopback.Timeout);
        Assert.Equal("over a negotiated channel", message.Text);
        Assert.Equal(0UL, channelA.BufferedAmount);
        Assert.False(announced, "a negotiated channel is not announced in band");
    }

    [Fact]
    public async Task AReaderThatFallsBehindTheBoundLosesTheChannelNotSilentlySomeMessages()
    {
        using var factory = new PeerConnectionFactory();
        await using var a = factory.CreatePeerConnection();
        await using var b = factory.CreatePeerConnection();
        var options = new DataChannelOptions { NegotiatedId = 3 };
        var channelA = a.CreateDataChannel("flood", options);
        var channelB = b.CreateDataChannel("flood", options);
        await Loopback.ConnectAsync(a, b);
        await channelA.WaitForOpenAsync().WaitAsync(Loopback.Timeout);
        await channelB.WaitForOpenAsync().WaitAsync(Loopback.Timeout);

        // Nobody reads on B while A sends more than the bound (pacing on A's buffered amount).
        var sent = 0;
        var deadline = DateTime.UtcNow + Loopback.Timeout;
        while (sent < DataChannel.MaxQueuedMessages + 200 && channelA.State == DataChannelState.Open && DateTime.UtcNow < deadline)
        {
            if (channelA.BufferedAmount > 64 * 1024)
            {
                await Task.Delay(5);
                continue;
            }
            try
            {
                channelA.Send(sent.ToString(System.Globalization.CultureInfo.InvariantCulture));
                sent++;
            }
            catch (WebRtcException) when (channelA.State != DataChannelState.Open)
            {
                break; // B overflowed and closed the channel meanwhile
            }
        }
        Assert.True(sent > DataChannel.MaxQueuedMessages, $"only {sent} messages could be sent");

        // B holds at most the bound, in order, then the stream ends with the overflow error.
        var read = 0;
        var overflow = await Assert.ThrowsAsync<DataChannelOverflowException>(async () =>
        {
            await foreach (var message in channelB.Messages.ReadAllAsync().WithCancellation(new CancellationTokenSource(Loopback.Timeout).Token))
            {
                using (message)
                {
                    Assert.Equal(read.ToString(System.Globalization.CultureInfo.InvariantCulture), message.Text);
                }
                read++;
            }
        });
        Assert.Equal("flood", overflow.Label);
        Assert.Equal(DataChannel.MaxQueuedMessages, read);
        // And the channel was closed, so A learns it too.
        for (var i = 0; i < 200 && channelA.State != DataChannelState.Closed; i++)
            await Task.Delay(50);
        Assert.Equal(DataChannelState.Closed, channelA.State);
    }

    [Fact]
    public void CopiesOfAMessageReturnItsBufferToThePoolOnce()
    {
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(100);
        var message = new DataChannelMessage(rented, 5, isBinary: true);
        var copy = message;
        message.Dispose();
        copy.Dispose();
        Assert.Equal(0, copy.Length);
        Assert.True(copy.Span.IsEmpty);
        // Returned twice, the pool would hand the same array to two renters.
        var first = System.Buffers.ArrayPool<byte>.Shared.Rent(100);
        var second = System.Buffers.ArrayPool<byte>.Shared.Rent(100);
        Assert.NotSame(first, second);
        System.Buffers.ArrayPool<byte>.Shared.Return(first);
        System.Buffers.ArrayPool<byte>.Shared.Return(second);
    }

    [Fact]
    public async Task ClosingAChannelEndsTheRemoteMessageStream()
    {
        using var factory = new PeerConnectionFactory();
        await using var a = factory.CreatePeerConnection();
        await using var b = factory.CreatePeerConnection();
        var received = new TaskCompletionSource<DataChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.DataChannelReceived += (_, e) => received.TrySetResult(e.Channel);
        var channelA = a.CreateDataChannel("short-lived");
        await Loopback.ConnectAsync(a, b);
        var channelB = await received.Task.WaitAsync(Loopback.Timeout);
        await channelA.WaitForOpenAsync().WaitAsync(Loopback.Timeout);

        var states = new List<DataChannelState>();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        channelB.StateChanged += (_, e) =>
        {
            lock (states)
            {
                states.Add(e.State);
            }

            if (e.State == DataChannelState.Closed)
            {
                closed.TrySetResult();
            }
        };

        channelA.Send("last words");
        channelA.Close();
        await closed.Task.WaitAsync(Loopback.Timeout);
        var messages = new List<string>();
        await foreach (var m in channelB.Messages.ReadAllAsync().WithCancellation(new CancellationTokenSource(Loopback.Timeout).Token))
        {
            using (m)
            {
                messages.Add(m.Text);
            }
        }

        Assert.Equal(["last words"], messages);
        Assert.Equal(DataChannelState.Closed, channelB.State);
        await channelA.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => channelA.Send("after dispose"));
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
