using System.Collections;

namespace Dialtone.Sip.Message;

/// <summary>
/// The ordered header lines of a message. Lookups accept long or compact names case-insensitively;
/// the order of lines is kept as received (RFC 3261 §7.3.1 makes the order of same-named headers
/// significant). Mutating methods exist for building and forwarding messages.
/// </summary>
public sealed class SipHeaderCollection : IReadOnlyList<SipHeader>
{
    private readonly List<SipHeader> _headers;

    public SipHeaderCollection() => _headers = [];

    internal SipHeaderCollection(List<SipHeader> headers) => _headers = headers;

    public int Count => _headers.Count;

    public SipHeader this[int index] => _headers[index];

    /// <summary>The (unfolded) value of the first header named <paramref name="name"/>, or null.</summary>
    public string? this[string name] => First(name)?.Value;

    public SipHeader? First(string name)
    {
        var key = SipHeaderNames.Canonical(name);
        foreach (var h in _headers)
        {
            if (Matches(h, key))
                return h;
        }
        return null;
    }

    public bool Contains(string name) => First(name) is not null;

    /// <summary>Every header line with this name, in order.</summary>
    public IEnumerable<SipHeader> All(string name)
    {
        var key = SipHeaderNames.Canonical(name);
        foreach (var h in _headers)
        {
            if (Matches(h, key))
                yield return h;
        }
    }

    /// <summary>
    /// All values of a header across its lines, splitting comma-separated lists (never inside
    /// quotes or &lt;…&gt;, and never for the authentication headers).
    /// </summary>
    public IReadOnlyList<string> Values(string name)
    {
        List<string>? result = null;
        foreach (var h in All(name))
            (result ??= []).AddRange(h.SplitValues());
        return result is null ? [] : result;
    }

    public void Add(string name, string value) => _headers.Add(new SipHeader(name, value));

    public void Add(SipHeader header) => _headers.Add(header);

    public void Insert(int index, SipHeader header) => _headers.Insert(index, header);

    /// <summary>Adds the header before the first header of the same name (or at the top), as a proxy prepends Via.</summary>
    public void Prepend(SipHeader header)
    {
        var index = _headers.FindIndex(h => Matches(h, header.Key));
        _headers.Insert(index < 0 ? 0 : index, header);
    }

    /// <summary>Replaces all headers of this name with one header at the position of the first.</summary>
    public void Set(string name, string value)
    {
        var header = new SipHeader(name, value);
        var index = _headers.FindIndex(h => Matches(h, header.Key));
        if (index < 0)
        {
            _headers.Add(header);
            return;
        }
        _headers[index] = header;
        for (var i = _headers.Count - 1; i > index; i--)
        {
            if (Matches(_headers[i], header.Key))
                _headers.RemoveAt(i);
        }
    }

    /// <summary>Removes every header with this name; returns how many were removed.</summary>
    public int Remove(string name)
    {
        var key = SipHeaderNames.Canonical(name);
        return _headers.RemoveAll(h => Matches(h, key));
    }

    public bool Remove(SipHeader header) => _headers.Remove(header);

    public void RemoveAt(int index) => _headers.RemoveAt(index);

    public int IndexOf(SipHeader header) => _headers.IndexOf(header);

    public void ReplaceAt(int index, SipHeader header) => _headers[index] = header;

    private static bool Matches(SipHeader h, string key) => string.Equals(h.Key, key, StringComparison.OrdinalIgnoreCase);

    public IEnumerator<SipHeader> GetEnumerator() => _headers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
