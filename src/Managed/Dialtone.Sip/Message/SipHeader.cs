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
    private readonly ReadOnlyMemory<char> _raw;
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
        if (value.AsSpan().ContainsAnyInRange('\0', '\u0008') || value.AsSpan().ContainsAnyInRange('\u000a', '\u001f') || value.Contains('\u007f'))
            throw new ArgumentException("Header values cannot contain control characters.", nameof(value));
        _name = name;
        _value = value.Trim(' ', '\t');
        Key = SipHeaderNames.Canonical(name);
    }

    internal SipHeader(ReadOnlyMemory<char> raw, int nameLength, int valueStart, string key, int line)
    {
        _raw = raw;
        _nameLength = nameLength;
        _valueStart = valueStart;
        Key = key;
        Line = line;
    }

    /// <summary>The name as written (possibly compact, e.g. "v").</summary>
    public string Name => _name ??= _raw.Span[.._nameLength].ToString();

    /// <summary>The canonical long name used for lookups (e.g. "Via" for "v").</summary>
    public string Key { get; }

    /// <summary>The value with surrounding whitespace removed and folded lines joined by a space.</summary>
    public string Value => _value ??= Unfold(_raw.Span[_valueStart..]);

    /// <summary>1-based line in the parsed message; 0 for headers built in code.</summary>
    public int Line { get; }

    internal bool IsParsed => !_raw.IsEmpty;

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
        ? Encoding.UTF8.GetByteCount(_raw.Span)
        : Encoding.UTF8.GetByteCount(_name!) + 2 + Encoding.UTF8.GetByteCount(_value!);

    /// <summary>Writes the line as UTF-8 (without CRLF) and returns the bytes written.</summary>
    internal int WriteUtf8(Span<byte> destination)
    {
        if (IsParsed)
            return Encoding.UTF8.GetBytes(_raw.Span, destination);
        var n = Encoding.UTF8.GetBytes(_name, destination);
        destination[n++] = (byte)':';
        destination[n++] = (byte)' ';
        return n + Encoding.UTF8.GetBytes(_value, destination[n..]);
    }

    public override string ToString() => IsParsed ? _raw.ToString() : $"{_name}: {_value}";

    private static string Unfold(ReadOnlySpan<char> value)
    {
        value = value.Trim(" \t\r\n");
        if (value.IndexOf('\n') < 0)
            return value.ToString();
        var sb = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] is '\r' or '\n')
            {
                while (i + 1 < value.Length && value[i + 1] is '\r' or '\n' or ' ' or '\t')
                    i++;
                // Whitespace before the fold collapses with the fold into one space.
                while (sb.Length > 0 && sb[^1] is ' ' or '\t')
                    sb.Length--;
                sb.Append(' ');
            }
            else
            {
                sb.Append(value[i]);
            }
        }
        return sb.ToString();
    }

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
