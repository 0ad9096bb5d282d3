using System.Globalization;
using System.Text;

namespace Dialtone.Cli;

/// <summary>Echoing what a user typed: control characters (a CR/LF inside a URI) are shown escaped, never acted on by the terminal.</summary>
internal static class Text
{
    public static string Escape(string text)
    {
        if (!text.Any(char.IsControl))
            return text;
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '\r' => "\\r",
                '\n' => "\\n",
                '\t' => "\\t",
                _ when char.IsControl(c) => "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }
        return escaped.ToString();
    }
}
