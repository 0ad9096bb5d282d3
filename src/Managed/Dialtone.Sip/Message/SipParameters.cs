using System.Collections;
using System.Text;

namespace Dialtone.Sip.Message;

/// <summary>One <c>;name=value</c> parameter. <see cref="Value"/> is as written (quotes kept), null for a flag.</summary>
public readonly record struct SipParameter(string Name, string? Value);

/// <summary>
/// An immutable, ordered list of <c>;name[=value]</c> parameters (URI parameters or header
/// parameters). Names compare case-insensitively; order and spelling are kept for serialization.
/// </summary>
public sealed class SipParameters : IReadOnlyList<SipParameter>, IEquatable<SipParameters>
{
    public static SipParameters Empty { get; } = new([]);

    private readonly SipParameter[] _items;

    private SipParameters(SipParameter[] items) => _items = items;

    public static SipParameters Create(params IEnumerable<SipParameter> items) => new(items.ToArray());

    public int Count => _items.Length;

    public SipParameter this[int index] => _items[index];

    /// <summary>Whether the parameter is present (with or without a value).</summary>
    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>The value as written (quotes kept), or null when absent or a flag.</summary>
    public string? Get(string name)
    {
        var i = IndexOf(name);
        return i < 0 ? null : _items[i].Value;
    }

    /// <summary>The value with quotes and escapes removed, or null when absent or a flag.</summary>
    public string? GetUnquoted(string name) => Get(name) is { } v ? SipSyntax.Unquote(v) : null;

    /// <summary>A copy with <paramref name="name"/> set (replaced in place, or appended).</summary>
    public SipParameters With(string name, string? value)
    {
        if (!SipSyntax.IsToken(name))
            throw new ArgumentException($"Parameter name '{name}' is not a token.", nameof(name));
        var i = IndexOf(name);
        var copy = new SipParameter[i < 0 ? _items.Length + 1 : _items.Length];
        _items.CopyTo(copy, 0);
        copy[i < 0 ? _items.Length : i] = new SipParameter(i < 0 ? name : _items[i].Name, value);
        return new SipParameters(copy);
    }

    public SipParameters Without(string name)
    {
        var i = IndexOf(name);
        return i < 0 ? this : new SipParameters([.. _items[..i], .. _items[(i + 1)..]]);
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < _items.Length; i++)
            if (string.Equals(_items[i].Name, name, StringComparison.OrdinalIgnoreCase))
                return i;
        return -1;
    }

    /// <summary>Writes <c>;a=b;c</c>.</summary>
    public void AppendTo(StringBuilder sb)
    {
        foreach (var p in _items)
        {
            sb.Append(';').Append(p.Name);
            if (p.Value is not null)
                sb.Append('=').Append(p.Value);
        }
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        AppendTo(sb);
        return sb.ToString();
    }

    /// <summary>
    /// Parses <c>*( SEMI name [EQUAL value] )</c> from the scanner, stopping at any character in
    /// <paramref name="stops"/> at top level. Values may be tokens, quoted strings, or IPv6 references.
    /// </summary>
    internal static SipParameters Parse(ref SipScanner s, ReadOnlySpan<char> stops, bool uriParameters, bool build = true)
    {
        // Up to eight parameters collect on the stack, so the result is one exact-size array.
        var inline = new EightParameters();
        Span<SipParameter> first = inline;
        List<SipParameter>? more = null;
        var count = 0;
        while (s.TryConsume(';'))
        {
            ReadOnlySpan<char> name = uriParameters ? ReadUriPiece(ref s, "parameter name") : s.ReadToken("parameter name");
            string? value = null;
            if (s.TryConsume('='))
            {
                if (!uriParameters && s.Peek == '"')
                {
                    var quoted = s.ReadQuotedRaw();
                    value = build ? quoted.ToString() : null;
                }
                else if (s.Peek == '[')
                {
                    var inner = s.ReadUntilAny("]");
                    if (!s.TryConsume(']'))
                        throw s.Error("unterminated IPv6 reference");
                    value = build ? string.Concat(inner, "]") : null;
                }
                else
                {
                    var piece = uriParameters ? ReadUriPiece(ref s, "parameter value") : ReadParamValue(ref s);
                    value = build ? piece.ToString() : null;
                }
            }
            if (build)
            {
                var parameter = new SipParameter(InternName(name), value);
                if (count < first.Length)
                    first[count] = parameter;
                else
                    (more ??= []).Add(parameter);
                count++;
            }
            s.SkipWhitespace();
            if (!s.AtEnd && s.Peek != ';' && stops.IndexOf(s.Peek) < 0)
                throw s.Error($"unexpected '{s.Peek}' after parameter '{name}'");
        }
        if (count == 0)
            return Empty;
        var items = new SipParameter[count];
        first[..Math.Min(count, first.Length)].CopyTo(items);
        more?.CopyTo(items, first.Length);
        return new SipParameters(items);
    }

    [System.Runtime.CompilerServices.InlineArray(8)]
    private struct EightParameters
    {
        private SipParameter _element;
    }

    /// <summary>The names nearly every message carries, shared instead of allocated per parse.</summary>
    private static string InternName(ReadOnlySpan<char> name) => name switch
    {
        "tag" => "tag",
        "branch" => "branch",
        "received" => "received",
        "rport" => "rport",
        "lr" => "lr",
        "transport" => "transport",
        "maddr" => "maddr",
        "ttl" => "ttl",
        "user" => "user",
        "method" => "method",
        "expires" => "expires",
        "q" => "q",
        "ob" => "ob",
        _ => name.ToString(),
    };

    private static ReadOnlySpan<char> ReadParamValue(ref SipScanner s)
    {
        // gen-value = token / host / quoted-string; hosts may contain ':' (IPv6 handled above).
        var start = s.Position;
        s.Position = s.SkipAll(SipSyntax.TokenOrColonChars);
        if (s.Position == start)
            throw s.Error("empty parameter value");
        return s.Slice(start, s.Position);
    }

    private static ReadOnlySpan<char> ReadUriPiece(ref SipScanner s, string what)
    {
        var piece = s.ReadUntilAny(";?>=, \t");
        if (piece.IsEmpty)
            throw s.Error($"empty URI {what}");
        return piece;
    }

    public bool Equals(SipParameters? other)
    {
        if (other is null || other.Count != Count)
            return false;
        for (var i = 0; i < _items.Length; i++)
        {
            if (!string.Equals(_items[i].Name, other._items[i].Name, StringComparison.OrdinalIgnoreCase)
                || !string.Equals(_items[i].Value, other._items[i].Value, StringComparison.OrdinalIgnoreCase))
                return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as SipParameters);

    public override int GetHashCode() => _items.Length;

    public IEnumerator<SipParameter> GetEnumerator() => ((IEnumerable<SipParameter>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();
}
