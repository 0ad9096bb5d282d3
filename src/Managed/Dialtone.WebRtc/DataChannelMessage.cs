using System.Buffers;
using System.Text;

namespace Dialtone.WebRtc;

/// <summary>
/// One data-channel message. Its bytes live in a buffer rented from <see cref="ArrayPool{T}.Shared"/>:
/// read <see cref="Data"/> (or <see cref="Text"/>), then <see cref="Dispose"/> the message exactly once
/// to give the buffer back. No byte[] is allocated per message.
/// </summary>
public readonly struct DataChannelMessage : IDisposable
{
    private readonly byte[]? buffer;
    private readonly int length;

    internal DataChannelMessage(byte[] buffer, int length, bool isBinary)
    {
        this.buffer = buffer;
        this.length = length;
        IsBinary = isBinary;
    }

    /// <summary>True for binary messages, false for text (UTF-8).</summary>
    public bool IsBinary { get; }

    public ReadOnlyMemory<byte> Data => buffer is null ? ReadOnlyMemory<byte>.Empty : buffer.AsMemory(0, length);

    public ReadOnlySpan<byte> Span => buffer is null ? ReadOnlySpan<byte>.Empty : buffer.AsSpan(0, length);

    /// <summary>The payload decoded as UTF-8 (allocates the string).</summary>
    public string Text => Encoding.UTF8.GetString(Span);

    public void Dispose()
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
