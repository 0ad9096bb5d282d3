using System.Text;

namespace Dialtone.Bindings.Generator;

/// <summary>
/// Finds the C comment that documents a declaration, from the header text and the AST's offsets:
/// the block comment right before it (only whitespace between), or one on the same line after it.
/// Section banners ("/* ---- ...") are not documentation.
/// </summary>
public sealed class HeaderComments
{
    // clang's offsets count bytes: index a Latin-1 view of the UTF-8 bytes (one char per byte) and
    // turn the extracted comment back into real text at the end.
    private readonly string text;

    public HeaderComments(byte[] utf8Header) => text = Encoding.Latin1.GetString(utf8Header);

    public string? Leading(int offset)
    {
        int i = offset - 1;
        while (i >= 0 && char.IsWhiteSpace(text[i]))
        {
            i--;
        }

        if (i < 1 || text[i] != '/' || text[i - 1] != '*')
        {
            return null;
        }

        int end = i - 1;
        int start = text.LastIndexOf("/*", end, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        // A comment that trails an earlier declaration on its line documents that one, not this.
        int lineStart = text.LastIndexOf('\n', start) + 1;
        return text[lineStart..start].Trim().Length == 0 ? Clean(text[(start + 2)..end]) : null;
    }

    public string? Trailing(int endOffset)
    {
        int lineEnd = text.IndexOf('\n', endOffset);
        if (lineEnd < 0)
        {
            lineEnd = text.Length;
        }

        string rest = text[endOffset..lineEnd];
        int start = rest.IndexOf("/*", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        // Only separators and the end of the declaration itself may sit before the comment.
        string before = rest[..start];
        foreach (char c in before)
        {
            if (!char.IsWhiteSpace(c) && c is not (';' or ',') && !char.IsLetterOrDigit(c) && c != '_' && c != ')' && c != ']')
            {
                return null;
            }
        }

        int stop = rest.IndexOf("*/", start, StringComparison.Ordinal);
        return stop < 0 ? null : Clean(rest[(start + 2)..stop]);
    }

    private static string? Clean(string body)
    {
        if (body.TrimStart().StartsWith("---", StringComparison.Ordinal))
        {
            return null;
        }

        var sb = new StringBuilder();
        foreach (string raw in body.Split('\n'))
        {
            string line = raw.Trim();
            if (line.StartsWith('*'))
            {
                line = line[1..].Trim();
            }

            if (line.Length == 0)
            {
                continue;
            }

            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(line);
        }

        return sb.Length == 0 ? null : Encoding.UTF8.GetString(Encoding.Latin1.GetBytes(sb.ToString()));
    }
}
