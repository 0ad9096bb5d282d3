using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Dialtone.Sip.Tests.Resolution;

/// <summary>
/// An authoritative-only DNS server on 127.0.0.1 for tests: answers real UDP queries (RFC 1035
/// wire format) from a table of A, AAAA, SRV (RFC 2782) and NAPTR (RFC 3403) records, and logs
/// every question it was asked.
/// </summary>
internal sealed class MiniDnsServer : IAsyncDisposable
{
    public const ushort TypeA = 1, TypeAaaa = 28, TypeSrv = 33, TypeNaptr = 35;

    private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly Dictionary<(string Name, ushort Type), List<byte[]>> _records = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public MiniDnsServer() => _loop = Task.Run(ServeAsync);

    public IPEndPoint EndPoint => (IPEndPoint)_socket.Client.LocalEndPoint!;

    /// <summary>Questions received, as "name TYPE".</summary>
    public ConcurrentQueue<string> Queries { get; } = new();

    public MiniDnsServer A(string name, string address) => Add(name, TypeA, IPAddress.Parse(address).GetAddressBytes());

    public MiniDnsServer Aaaa(string name, string address) => Add(name, TypeAaaa, IPAddress.Parse(address).GetAddressBytes());

    public MiniDnsServer Srv(string name, ushort priority, ushort weight, ushort port, string target)
    {
        var data = new List<byte>();
        Append16(data, priority);
        Append16(data, weight);
        Append16(data, port);
        data.AddRange(EncodeName(target));
        return Add(name, TypeSrv, [.. data]);
    }

    public MiniDnsServer Naptr(string name, ushort order, ushort preference, string flags, string services, string replacement)
    {
        var data = new List<byte>();
        Append16(data, order);
        Append16(data, preference);
        AppendCharacterString(data, flags);
        AppendCharacterString(data, services);
        AppendCharacterString(data, "");
        data.AddRange(EncodeName(replacement));
        return Add(name, TypeNaptr, [.. data]);
    }

    private MiniDnsServer Add(string name, ushort type, byte[] data)
    {
        var key = (name.TrimEnd('.').ToLowerInvariant(), type);
        if (!_records.TryGetValue(key, out var list))
            _records[key] = list = [];
        list.Add(data);
        return this;
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult received;
            try
            {
                received = await _socket.ReceiveAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            var reply = Answer(received.Buffer);
            if (reply is not null)
                await _socket.SendAsync(reply, received.RemoteEndPoint);
        }
    }

    private byte[]? Answer(byte[] query)
    {
        if (query.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(4)) != 1)
            return null;
        var pos = 12;
        var labels = new List<string>();
        while (query[pos] != 0)
        {
            labels.Add(Encoding.ASCII.GetString(query, pos + 1, query[pos]));
            pos += query[pos] + 1;
        }
        pos++;
        var type = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(pos));
        var questionEnd = pos + 4;
        var name = string.Join('.', labels).ToLowerInvariant();
        var typeName = type switch { TypeA => "A", TypeAaaa => "AAAA", TypeSrv => "SRV", TypeNaptr => "NAPTR", _ => type.ToString() };
        Queries.Enqueue($"{name} {typeName}");

        var answers = _records.GetValueOrDefault((name, type)) ?? [];
        var reply = new List<byte>();
        reply.AddRange(query.AsSpan(0, 2).ToArray()); // ID
        Append16(reply, 0x8580);                        // response, authoritative, RD, RA, NOERROR
        Append16(reply, 1);
        Append16(reply, (ushort)answers.Count);
        Append16(reply, 0);
        Append16(reply, 0);
        reply.AddRange(query.AsSpan(12, questionEnd - 12).ToArray());
        foreach (var data in answers)
        {
            Append16(reply, 0xC00C); // pointer to the question's name
            Append16(reply, type);
            Append16(reply, 1);      // IN
            reply.AddRange([0, 0, 0, 60]);
            Append16(reply, (ushort)data.Length);
            reply.AddRange(data);
        }
        return [.. reply];
    }

    private static void Append16(List<byte> target, ushort value)
    {
        target.Add((byte)(value >> 8));
        target.Add((byte)value);
    }

    private static void AppendCharacterString(List<byte> target, string value)
    {
        target.Add((byte)value.Length);
        target.AddRange(Encoding.ASCII.GetBytes(value));
    }

    private static byte[] EncodeName(string name)
    {
        var bytes = new List<byte>();
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }
        bytes.Add(0);
        return [.. bytes];
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _socket.Dispose();
        await _loop;
    }
}
