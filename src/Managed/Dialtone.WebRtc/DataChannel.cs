using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using Dialtone.Bindings;
using Dialtone.WebRtc.Interop;

namespace Dialtone.WebRtc;

/// <summary>
/// W3C RTCDataChannel (SCTP over DTLS). Incoming messages are read from <see cref="Messages"/> in the
/// order they arrived; <see cref="StateChanged"/> is raised on the owning connection's event thread.
/// <para>The receive queue is bounded (<see cref="MaxQueuedMessages"/> messages, <see cref="MaxQueuedBytes"/>
/// bytes unread). A reader that falls that far behind loses the channel, not silently some messages:
/// the message that does not fit is dropped, <see cref="Messages"/> completes with a
/// <see cref="DataChannelOverflowException"/> after the messages already queued, and the channel is
/// closed so the peer learns it too. (libwebrtc delivers on its network thread, which must never wait
/// for a slow reader.)</para>
/// The connection disposes its channels with itself; dispose one earlier to release it alone.
/// </summary>
public sealed unsafe class DataChannel : IAsyncDisposable
{
    private readonly PeerConnection owner;
    private readonly DataChannelHandle handle;
    /// <summary>Most unread messages a channel holds.</summary>
    public const int MaxQueuedMessages = 4096;

    /// <summary>Most unread payload bytes a channel holds (16 MiB).</summary>
    public const long MaxQueuedBytes = 16L << 20;

    private readonly Channel<DataChannelMessage> messages = Channel.CreateUnbounded<DataChannelMessage>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = true, AllowSynchronousContinuations = false });
    private readonly MessageQueueReader reader;
    private long queuedBytes;
    private int queuedCount;

    private readonly TaskCompletionSource opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int released;

    internal DataChannel(PeerConnection owner, DataChannelHandle handle)
    {
        this.owner = owner;
        this.handle = handle;
        reader = new MessageQueueReader(this);
        Label = Utf8.ReadString((buffer, capacity, needed) => WebRtcShim.dt_data_channel_get_label(handle.Pointer, buffer, capacity, needed), "dt_data_channel_get_label");
    }

    public string Label { get; }

    /// <summary>Incoming messages; completed when the channel closes or is disposed. Dispose each message.</summary>
    public ChannelReader<DataChannelMessage> Messages => reader;

    public event EventHandler<StateChangedEventArgs<DataChannelState>>? StateChanged;

    /// <summary>The SCTP stream id; null until assigned (after DTLS is up for in-band channels).</summary>
    public int? Id
    {
        get
        {
            int id;
            using var scope = new HandleScope(handle);
            ThrowHelper.ThrowIfFailed(WebRtcShim.dt_data_channel_get_id(handle.Pointer, &id), "dt_data_channel_get_id");
            return id < 0 ? null : id;
        }
    }

    public DataChannelState State
    {
        get
        {
            DtDataChannelState state;
            using var scope = new HandleScope(handle);
            ThrowHelper.ThrowIfFailed(WebRtcShim.dt_data_channel_get_state(handle.Pointer, &state), "dt_data_channel_get_state");
            return (DataChannelState)state;
        }
    }

    /// <summary>Bytes queued for sending and not yet handed to SCTP.</summary>
    public ulong BufferedAmount
    {
        get
        {
            ulong amount;
            using var scope = new HandleScope(handle);
            ThrowHelper.ThrowIfFailed(WebRtcShim.dt_data_channel_get_buffered_amount(handle.Pointer, &amount), "dt_data_channel_get_buffered_amount");
            return amount;
        }
    }

    /// <summary>Completes when the channel is open (at once when it already is).</summary>
    public Task WaitForOpenAsync(CancellationToken cancellationToken = default) =>
        State == DataChannelState.Open ? Task.CompletedTask : opened.Task.WaitAsync(cancellationToken);

    /// <summary>Sends a text message (UTF-8).</summary>
    public void Send(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max <= 1024)
        {
            Span<byte> stack = stackalloc byte[max];
            int n = Encoding.UTF8.GetBytes(text, stack);
            SendCore(stack[..n], binary: false);
            return;
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            int n = Encoding.UTF8.GetBytes(text, rented);
            SendCore(rented.AsSpan(0, n), binary: false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Sends a binary message.</summary>
    public void Send(ReadOnlySpan<byte> data) => SendCore(data, binary: true);

    /// <summary>Starts the closing handshake. Idempotent.</summary>
    public void Close()
    {
        using var scope = new HandleScope(handle);
        ThrowHelper.ThrowIfFailed(WebRtcShim.dt_data_channel_close(handle.Pointer), "dt_data_channel_close");
    }

    /// <summary>Releases the channel; no message or event arrives after it returns.</summary>
    public ValueTask DisposeAsync()
    {
        owner.RemoveDataChannel(this);
        ReleaseNative();
        CompleteMessages();
        return ValueTask.CompletedTask;
    }

    internal void AttachCallbacks()
    {
        var self = GCHandle.Alloc(this, GCHandleType.Weak);
        handle.OwnCallbackHandle(self);
        var callbacks = new DtDataChannelCallbacks
        {
            StructSize = (uint)sizeof(DtDataChannelCallbacks),
            OnStateChange = &OnStateChangeNative,
            OnMessage = &OnMessageNative,
            OnBufferedAmountChange = null,
        };
        using var scope = new HandleScope(handle);
        ThrowHelper.ThrowIfFailed(WebRtcShim.dt_data_channel_set_callbacks(handle.Pointer, &callbacks, (void*)GCHandle.ToIntPtr(self)), "dt_data_channel_set_callbacks");

        // The channel may have opened before the callbacks were in place.
        if (State == DataChannelState.Open)
        {
            opened.TrySetResult();
        }
    }

    /// <summary>Native release: waits for running callbacks; none runs afterwards.</summary>
    internal void ReleaseNative()
    {
        if (Interlocked.Exchange(ref released, 1) == 0)
        {
            handle.Dispose();
            opened.TrySetException(new ObjectDisposedException(nameof(DataChannel)));
            opened.Task.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
    }

    /// <summary>Ends the message stream and returns the buffers of messages nobody read.</summary>
    internal void CompleteMessages()
    {
        messages.Writer.TryComplete();
        while (messages.Reader.TryRead(out var message))
        {
            message.Dispose();
        }
    }

    /// <summary>Queues a received message, or ends the stream when the bound is reached (see the class remarks).</summary>
    private bool Enqueue(DataChannelMessage message)
    {
        if (Interlocked.Increment(ref queuedCount) > MaxQueuedMessages
            | Interlocked.Add(ref queuedBytes, message.Length) > MaxQueuedBytes)
        {
            Interlocked.Decrement(ref queuedCount);
            Interlocked.Add(ref queuedBytes, -message.Length);
            if (messages.Writer.TryComplete(new DataChannelOverflowException(Label)))
            {
                // Not on libwebrtc's thread: closing waits for it.
                _ = Task.Run(() =>
                {
                    try
                    {
                        Close();
                    }
                    catch (Exception)
                    {
                        // Already closed or released meanwhile.
                    }
                });
            }

            return false;
        }

        if (messages.Writer.TryWrite(message))
        {
            return true;
        }

        Interlocked.Decrement(ref queuedCount);
        Interlocked.Add(ref queuedBytes, -message.Length);
        return false;
    }

    private void Dequeued(in DataChannelMessage message)
    {
        Interlocked.Decrement(ref queuedCount);
        Interlocked.Add(ref queuedBytes, -message.Length);
    }

    /// <summary>The reader handed out: the channel's own, counting what leaves the queue.</summary>
    private sealed class MessageQueueReader(DataChannel channel) : ChannelReader<DataChannelMessage>
    {
        private ChannelReader<DataChannelMessage> Inner => channel.messages.Reader;

        public override Task Completion => Inner.Completion;

        public override bool CanCount => true;

        public override int Count => Inner.Count;

        public override bool CanPeek => true;

        public override bool TryPeek(out DataChannelMessage item) => Inner.TryPeek(out item);

        public override bool TryRead(out DataChannelMessage item)
        {
            if (!Inner.TryRead(out item))
            {
                return false;
            }

            channel.Dequeued(item);
            return true;
        }

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => Inner.WaitToReadAsync(cancellationToken);
    }

    private void SendCore(ReadOnlySpan<byte> data, bool binary)
    {
        using var scope = new HandleScope(handle);
        fixed (byte* p = data)
        {
            ThrowHelper.ThrowIfFailed(WebRtcShim.dt_data_channel_send(handle.Pointer, p, (nuint)data.Length, binary ? (byte)1 : (byte)0), "dt_data_channel_send");
        }
    }

    private static DataChannel? From(void* userData) =>
        userData is null ? null : GCHandle.FromIntPtr((nint)userData).Target as DataChannel;

    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void OnMessageNative(void* userData, byte* data, nuint size, byte binary)
    {
        try
        {
            var channel = From(userData);
            if (channel is null)
            {
                return;
            }

            int length = checked((int)size);
            byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
            new ReadOnlySpan<byte>(data, length).CopyTo(buffer);
            var message = new DataChannelMessage(buffer, length, binary != 0);
            if (!channel.Enqueue(message))
            {
                message.Dispose();
            }
        }
        catch (Exception)
        {
            // Nothing may cross into native code.
        }
    }

    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void OnStateChangeNative(void* userData, DtDataChannelState state)
    {
        try
        {
            var channel = From(userData);
            if (channel is null)
            {
                return;
            }

            var s = (DataChannelState)state;
            if (s == DataChannelState.Open)
            {
                channel.opened.TrySetResult();
            }
            else if (s == DataChannelState.Closed)
            {
                channel.messages.Writer.TryComplete();
            }

            channel.owner.Dispatcher.Post(() => channel.StateChanged?.Invoke(channel, new StateChangedEventArgs<DataChannelState>(s)));
        }
        catch (Exception)
        {
        }
    }
}
