namespace Dialtone.WebRtc;

/// <summary>
/// A data channel's receive queue reached its bound (<see cref="DataChannel.MaxQueuedMessages"/> or
/// <see cref="DataChannel.MaxQueuedBytes"/> unread) because the application did not read
/// <see cref="DataChannel.Messages"/> fast enough; the channel was closed.
/// </summary>
public sealed class DataChannelOverflowException(string label)
    : Exception($"Data channel '{label}' closed: more than {DataChannel.MaxQueuedMessages} messages or {DataChannel.MaxQueuedBytes} bytes were waiting to be read.")
{
    public string Label { get; } = label;
}
