using System.Text;

namespace Dialtone.Sip.Message;

/// <summary>
/// One header line. A parsed header keeps its raw text (name, separator, value, folding) so
/// serialization reproduces it byte for byte; name and unfolded value are materialized on first
/// use and typed views (<see cref="SipVia"/>, <see cref="SipAddress"/>…) are parsed lazily and
/// cached. Headers are immutable: to change one, replace it in the <see cref="SipHeaderCollection"/>.
/// </summary>
public sealed class SipHeader
{
    private readonly ReadOnlyMemory<byte> _raw;
    private readonly int _nameLength;
    private readonly int _valueStart;
    private string? _name;
    private string? _value;
    private object? _typed;

    /// <summary>A new header for a message built in code.</summary>
    public SipHeader(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (!SipSyntax.IsToken(name))
            throw new ArgumentException($"Header name '{name}' is not a token.", nameof(name));
        if (value.AsSpan().ContainsAny('\r', '\n'))
            throw new ArgumentException("Header values cannot contain line breaks.", nameof(value));
        if (SipSyntax.IndexOfBareControl(value) >= 0)
            throw new ArgumentException("Header values cannot contain control characters (except escaped in a quoted string).", nameof(value));
        _name = name;
        _value = value.Trim(' ', '\t');
        Key = SipHeaderNames.Canonical(name);
    }

    /// <summary>A parsed header: its raw UTF-8 bytes (validated by the parser) and where name and value lie.</summary>
    internal SipHeader(ReadOnlyMemory<byte> raw, int nameLength, int valueStart, string key, int line, object? typed = null, string? value = null)
    {
        _raw = raw;
        _nameLength = nameLength;
        _valueStart = valueStart;
        Key = key;
        Line = line;
        _typed = typed;
        _value = value;
    }

    /// <summary>The name as written (possibly compact, e.g. "v").</summary>
    public string Name => _name ??= Encoding.UTF8.GetString(_raw.Span[.._nameLength]);

    /// <summary>The canonical long name used for lookups (e.g. "Via" for "v").</summary>
    public string Key { get; }

    /// <summary>The value with surrounding whitespace removed and folded lines joined by a space.</summary>
    public string Value => _value ??= SipHeaderText.ValueString(_raw.Span[_valueStart..]);

    /// <summary>1-based line in the parsed message; 0 for headers built in code.</summary>
    public int Line { get; }

    internal bool IsParsed => !_raw.IsEmpty;

    private byte[]? _valueUtf8;

    /// <summary>The value as UTF-8 bytes: in place for a parsed header (folds and whitespace as received), encoded once for one built in code.</summary>
    internal ReadOnlySpan<byte> ValueUtf8 => IsParsed ? _raw.Span[_valueStart..] : _valueUtf8 ??= Encoding.UTF8.GetBytes(_value!);

    /// <summary>The comma-separated values (not splitting inside quotes or &lt;…&gt;), trimmed.</summary>
    public IReadOnlyList<string> SplitValues() =>
        SipHeaderNames.IsSingleValued(Key) ? [Value] : SplitTopLevel(Value);

    internal T GetTyped<T>(Func<string, int, T> parse) where T : class
    {
        if (_typed is T cached)
            return cached;
        var parsed = parse(Value, Line);
        _typed = parsed;
        return parsed;
    }

    /// <summary>UTF-8 size of the line as serialized (without CRLF).</summary>
    internal int Utf8Length => IsParsed
        ? _raw.Length
        : Encoding.UTF8.GetByteCount(_name!) + 2 + Encoding.UTF8.GetByteCount(_value!);

    /// <summary>Writes the line as UTF-8 (without CRLF) and returns the bytes written.</summary>
    internal int WriteUtf8(Span<byte> destination)
    {
        if (IsParsed)
        {
            _raw.Span.CopyTo(destination);
            return _raw.Length;
        }
        var n = Encoding.UTF8.GetBytes(_name, destination);
        destination[n++] = (byte)':';
        destination[n++] = (byte)' ';
        return n + Encoding.UTF8.GetBytes(_value, destination[n..]);
    }

    public override string ToString() => IsParsed ? Encoding.UTF8.GetString(_raw.Span) : $"{_name}: {_value}";

    internal static List<string> SplitTopLevel(string value)
    {
        var result = new List<string>(1);
        var inQuotes = false;
        var inAngle = false;
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (inQuotes)
            {
                if (c == '\\')
                    i++;
                else if (c == '"')
                    inQuotes = false;
            }
            else if (c == '"')
                inQuotes = true;
            else if (c == '<')
                inAngle = true;
            else if (c == '>')
                inAngle = false;
            else if (c == ',' && !inAngle)
            {
                AddTrimmed(result, value, start, i);
                start = i + 1;
            }
        }
        AddTrimmed(result, value, start, value.Length);
        return result;
    }

    private static void AddTrimmed(List<string> list, string value, int start, int end)
    {
        var piece = value.AsSpan(start, end - start).Trim(" \t");
        if (!piece.IsEmpty)
            list.Add(piece.ToString());
    }
}
