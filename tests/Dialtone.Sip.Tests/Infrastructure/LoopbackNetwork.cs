using System.Collections.Concurrent;
using System.Net;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Tests.Infrastructure;

/// <summary>
/// An in-memory network of <see cref="LoopbackTransport"/>s addressed by IP endpoint (like
/// JsSIP's LoopSocket): a send is delivered synchronously to the transport bound at the
/// destination, unless the <see cref="Drop"/> filter swallows it (packet loss).
/// </summary>
internal sealed class LoopbackNetwork
{
    private readonly ConcurrentDictionary<IPEndPoint, LoopbackTransport> _bound = new();

    /// <summary>Return true to lose the message (sender, destination, text).</summary>
    public Func<LoopbackTransport, SipEndPoint, string, bool>? Drop { get; set; }

    public LoopbackTransport Bind(SipTransportKind kind, string ip, int port, TimeProvider time)
    {
        var transport = new LoopbackTransport(this, kind, new IPEndPoint(IPAddress.Parse(ip), port), time);
        _bound[transport.EndPoint.Address] = transport;
        return transport;
    }

    internal void Deliver(LoopbackTransport from, SipEndPoint destination, byte[] message)
    {
        if (Drop?.Invoke(from, destination, System.Text.Encoding.UTF8.GetString(message)) == true)
            return;
        if (_bound.TryGetValue(destination.Address, out var to))
            to.Receive(new SipEndPoint(from.Kind, from.EndPoint.Address, destination.ConnectionId), message);
    }
}

/// <summary>One endpoint on a <see cref="LoopbackNetwork"/>; records every message it sends with the virtual time.</summary>
internal sealed class LoopbackTransport : ISipTransport
{
    private readonly LoopbackNetwork? _network;
    private readonly TimeProvider _time;

    public LoopbackTransport(LoopbackNetwork? network, SipTransportKind kind, IPEndPoint address, TimeProvider time)
    {
        _network = network;
        _time = time;
        Kind = kind;
        EndPoint = new SipEndPoint(kind, address);
        LocalHostPort = new SipHostPort(address.Address.ToString(), address.Port);
    }

    public SipTransportKind Kind { get; }

    public SipEndPoint EndPoint { get; }

    public SipHostPort LocalHostPort { get; }

    public ConcurrentQueue<SentMessage> Sent { get; } = new();

    /// <summary>When set, every send fails with this exception.</summary>
    public Exception? FailSends { get; set; }

    public bool Disposed { get; private set; }

    public event SipFrameReceivedHandler? FrameReceived;

    public event Action<SipEndPoint, Exception?>? ConnectionClosed;

    public ValueTask SendAsync(SipEndPoint destination, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        if (FailSends is { } failure)
            return ValueTask.FromException(failure);
        var bytes = message.ToArray();
        Sent.Enqueue(new SentMessage(_time.GetUtcNow(), destination, System.Text.Encoding.UTF8.GetString(bytes)));
        _network?.Deliver(this, destination, bytes);
        return ValueTask.CompletedTask;
    }

    /// <summary>Simulates a message arriving from <paramref name="source"/>.</summary>
    public void Receive(SipEndPoint source, byte[] message) => FrameReceived?.Invoke(this, source, message);

    public void Receive(SipEndPoint source, string message) => Receive(source, System.Text.Encoding.UTF8.GetBytes(message));

    public void SimulateConnectionClosed(SipEndPoint remote, Exception? error) => ConnectionClosed?.Invoke(remote, error);

    public List<SentMessage> Take()
    {
        var list = new List<SentMessage>();
        while (Sent.TryDequeue(out var m))
            list.Add(m);
        return list;
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        ConnectionClosed?.Invoke(EndPoint, null);
        return ValueTask.CompletedTask;
    }
}

internal sealed record SentMessage(DateTimeOffset At, SipEndPoint Destination, string Text)
{
    public string FirstLine => Text[..Text.IndexOf('\r')];

    public Dialtone.Sip.Message.SipMessage Parse() => Dialtone.Sip.Message.SipParser.Parse(System.Text.Encoding.UTF8.GetBytes(Text));
}
