namespace Dialtone.Bindings.Generator;

/// <summary>A C type as clang spells it in "qualType", reduced to what a C ABI header uses.</summary>
public abstract record CType;

/// <summary>A builtin or typedef name (const dropped: C# has no const).</summary>
public sealed record CNamed(string Name, bool IsConst) : CType;

public sealed record CPointer(CType Pointee) : CType;

/// <summary>A function type; behind a CPointer it is a function pointer.</summary>
public sealed record CFunction(CType Return, IReadOnlyList<CType> Parameters) : CType;

/// <summary>
/// Parses clang's printed types: "const char *const *", "dt_factory **",
/// "void (*)(void *, int32_t, const char *)", "int32_t (dt_factory *)".
/// </summary>
public static class CTypeParser
{
    public static CType Parse(string text)
    {
        var tokens = Tokenize(text);
        int pos = 0;
        CType type = ParseType(tokens, ref pos);
        if (pos != tokens.Count)
        {
            throw new GeneratorException($"cannot parse C type '{text}' (stopped at token {pos})");
        }

        return type;
    }

    private static CType ParseType(List<string> t, ref int pos)
    {
        bool isConst = false;
        string? name = null;
        while (pos < t.Count && IsWord(t[pos]))
        {
            string word = t[pos++];
            switch (word)
            {
                case "const": isConst = true; break;
                case "struct" or "enum" or "volatile": break;
                case "unsigned" or "signed" or "long" or "short" or "int" or "char" when name is not null:
                    name += " " + word;
                    break;
                default:
                    if (name is not null)
                    {
                        throw new GeneratorException($"two type names in one type: '{name}' and '{word}'");
                    }

                    name = word;
                    break;
            }
        }

        if (name is null)
        {
            throw new GeneratorException("a type without a name");
        }

        CType type = new CNamed(name, isConst);
        while (pos < t.Count && t[pos] == "*")
        {
            pos++;
            type = new CPointer(type);
            if (pos < t.Count && t[pos] == "const")
            {
                pos++;
            }
        }

        if (pos < t.Count && t[pos] == "(")
        {
            // Either "RET (*)(params)" (function pointer) or "RET (params)" (function type).
            bool isPointer = pos + 2 < t.Count && t[pos + 1] == "*" && t[pos + 2] == ")";
            if (isPointer)
            {
                pos += 3;
                Expect(t, ref pos, "(");
            }
            else
            {
                pos++;
            }

            var parameters = new List<CType>();
            if (t[pos] == "void" && t[pos + 1] == ")")
            {
                pos++;
            }
            else
            {
                while (t[pos] != ")")
                {
                    parameters.Add(ParseType(t, ref pos));
                    if (t[pos] == ",")
                    {
                        pos++;
                    }
                }
            }

            Expect(t, ref pos, ")");
            var function = new CFunction(type, parameters);
            type = isPointer ? new CPointer(function) : function;
        }

        return type;
    }

    private static void Expect(List<string> t, ref int pos, string token)
    {
        if (pos >= t.Count || t[pos] != token)
        {
            throw new GeneratorException($"expected '{token}' in C type");
        }

        pos++;
    }

    private static bool IsWord(string token) => char.IsLetter(token[0]) || token[0] == '_';

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (char.IsLetterOrDigit(c) || c == '_')
            {
                int start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(text[start..i]);
            }
            else if (c is '*' or '(' or ')' or ',')
            {
                tokens.Add(c.ToString());
                i++;
            }
            else
            {
                throw new GeneratorException($"unexpected '{c}' in C type '{text}'");
            }
        }

        return tokens;
    }
}
