using System.Collections.Concurrent;

namespace Dialtone.Server;

/// <summary>The open client flows, by id and by the <c>.invalid</c> host each client puts in its Via.</summary>
internal sealed class FlowTable
{
    private readonly ConcurrentDictionary<string, SipFlow> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _flowIdByHost = new(StringComparer.OrdinalIgnoreCase);

    public int Count => _byId.Count;

    public void Add(SipFlow flow) => _byId[flow.Id] = flow;

    public void Remove(SipFlow flow)
    {
        _byId.TryRemove(flow.Id, out _);
        foreach (var (host, id) in _flowIdByHost)
        {
            if (id == flow.Id)
                _flowIdByHost.TryRemove(host, out _);
        }
    }

    public SipFlow? Get(string? id) => id is not null && _byId.TryGetValue(id, out var flow) && flow.IsOpen ? flow : null;

    /// <summary>Remembers that <paramref name="host"/> (a Via sent-by) is reached over <paramref name="flow"/>.</summary>
    public void NoteHost(string host, SipFlow flow) => _flowIdByHost[host] = flow.Id;

    public SipFlow? GetByHost(string host) => _flowIdByHost.TryGetValue(host, out var id) ? Get(id) : null;
}
