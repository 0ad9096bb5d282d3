using System.Buffers;
using System.Text;

namespace Dialtone.WebRtc;

/// <summary>
/// One data-channel message. Its bytes live in a buffer rented from <see cref="ArrayPool{T}.Shared"/>:
/// read <see cref="Data"/> (or <see cref="Text"/>), then <see cref="Dispose"/> the message to give the
/// buffer back. The payload is never copied into a new byte[]. Copies of this struct share one
/// lease: the buffer goes back to the pool once, however many copies are disposed, and every copy
/// reads as empty afterwards.
/// </summary>
public readonly struct DataChannelMessage : IDisposable
{
    private readonly Lease? lease;

    internal DataChannelMessage(byte[] buffer, int length, bool isBinary)
    {
        lease = new Lease(buffer, length);
        IsBinary = isBinary;
    }

    /// <summary>True for binary messages, false for text (UTF-8).</summary>
    public bool IsBinary { get; }

    /// <summary>The payload size in bytes (0 once disposed).</summary>
    public int Length => lease?.Buffer is null ? 0 : lease.Length;

    public ReadOnlyMemory<byte> Data => lease?.Buffer is { } buffer ? buffer.AsMemory(0, lease.Length) : ReadOnlyMemory<byte>.Empty;

    public ReadOnlySpan<byte> Span => lease?.Buffer is { } buffer ? buffer.AsSpan(0, lease.Length) : ReadOnlySpan<byte>.Empty;

    /// <summary>The payload decoded as UTF-8 (allocates the string).</summary>
    public string Text => Encoding.UTF8.GetString(Span);

    public void Dispose()
    {
        if (lease is not null && Interlocked.Exchange(ref lease.Buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The one owner of the rented buffer, shared by every copy of the message.</summary>
    private sealed class Lease(byte[] buffer, int length)
    {
        public byte[]? Buffer = buffer;

        public readonly int Length = length;
    }
}
