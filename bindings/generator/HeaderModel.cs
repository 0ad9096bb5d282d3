using System.Text.Json;

namespace Dialtone.Bindings.Generator;

public sealed record EnumMember(string Name, long Value, string? Comment);

public sealed record EnumDefinition(string Name, string? Comment, IReadOnlyList<EnumMember> Members);

public sealed record StructField(string Name, CType Type, string? Comment);

/// <summary>A struct; <see cref="Fields"/> is null for an opaque handle type.</summary>
public sealed record StructDefinition(string Name, string? Comment, IReadOnlyList<StructField>? Fields);

public sealed record FunctionParameter(string Name, CType Type);

public sealed record FunctionDefinition(string Name, string? Comment, CType Return, IReadOnlyList<FunctionParameter> Parameters);

/// <summary>
/// The declarations of the header that carry the `dt_` prefix, read from clang's JSON AST, in
/// header order. Declarations pulled in from system headers (stdint.h, ...) are ignored by name.
/// </summary>
public sealed class HeaderModel
{
    public const string Prefix = "dt_";

    public List<EnumDefinition> Enums { get; } = [];
    public List<StructDefinition> Structs { get; } = [];
    public List<FunctionDefinition> Functions { get; } = [];

    /// <summary>Typedef name → the type it stands for (function pointer typedefs are expanded from here).</summary>
    public Dictionary<string, CType> Typedefs { get; } = new(StringComparer.Ordinal);

    public List<(string Name, long Value)> Macros { get; } = [];

    public static HeaderModel Read(string astJson, byte[] headerUtf8)
    {
        var comments = new HeaderComments(headerUtf8);
        var model = new HeaderModel();
        using var doc = JsonDocument.Parse(astJson, new JsonDocumentOptions { MaxDepth = 4096 });

        // Records and enums are declared anonymously-by-typedef or with the same tag name; their
        // comment sits before the "typedef" keyword, so remember each typedef's start offset.
        var recordsById = new Dictionary<string, JsonElement>();
        var enumsById = new Dictionary<string, JsonElement>();

        foreach (JsonElement node in doc.RootElement.GetProperty("inner").EnumerateArray())
        {
            string kind = node.GetProperty("kind").GetString()!;
            string? name = node.TryGetProperty("name", out var n) ? n.GetString() : null;
            if (name is null || !name.StartsWith(Prefix, StringComparison.Ordinal) || node.TryGetProperty("isImplicit", out _))
            {
                continue;
            }

            switch (kind)
            {
                case "RecordDecl":
                    recordsById[node.GetProperty("id").GetString()!] = node.Clone();
                    break;
                case "EnumDecl":
                    enumsById[node.GetProperty("id").GetString()!] = node.Clone();
                    break;
                case "TypedefDecl":
                    model.ReadTypedef(node, name, comments, recordsById, enumsById);
                    break;
                case "FunctionDecl":
                    model.Functions.Add(ReadFunction(node, name, comments));
                    break;
            }
        }

        return model;
    }

    private void ReadTypedef(JsonElement node, string name, HeaderComments comments,
        Dictionary<string, JsonElement> records, Dictionary<string, JsonElement> enums)
    {
        string? comment = comments.Leading(BeginOffset(node));
        string qualType = node.GetProperty("type").GetProperty("qualType").GetString()!;

        // "typedef struct x x;" / "typedef enum x {...} x;": the tag declaration is referenced by id.
        string? tagId = FindDeclId(node);
        if (tagId is not null && records.TryGetValue(tagId, out var record))
        {
            Structs.Add(ReadStruct(record, name, comment, comments));
            Typedefs[name] = new CNamed("struct " + name, false);
            return;
        }

        if (tagId is not null && enums.TryGetValue(tagId, out var enumNode))
        {
            Enums.Add(ReadEnum(enumNode, name, comment, comments));
            Typedefs[name] = new CNamed("enum " + name, false);
            return;
        }

        Typedefs[name] = CTypeParser.Parse(qualType);
    }

    private static StructDefinition ReadStruct(JsonElement record, string name, string? comment, HeaderComments comments)
    {
        if (!record.TryGetProperty("completeDefinition", out _))
        {
            return new StructDefinition(name, comment, null);
        }

        var fields = new List<StructField>();
        foreach (JsonElement field in record.GetProperty("inner").EnumerateArray())
        {
            if (field.GetProperty("kind").GetString() != "FieldDecl")
            {
                continue;
            }

            string fieldName = field.GetProperty("name").GetString()!;
            var type = CTypeParser.Parse(field.GetProperty("type").GetProperty("qualType").GetString()!);
            string? fieldComment = comments.Trailing(EndOffset(field)) ?? comments.Leading(BeginOffset(field));
            fields.Add(new StructField(fieldName, type, fieldComment));
        }

        return new StructDefinition(name, comment, fields);
    }

    private static EnumDefinition ReadEnum(JsonElement node, string name, string? comment, HeaderComments comments)
    {
        var members = new List<EnumMember>();
        long next = 0;
        foreach (JsonElement constant in node.GetProperty("inner").EnumerateArray())
        {
            if (constant.GetProperty("kind").GetString() != "EnumConstantDecl")
            {
                continue;
            }

            long value = next;
            if (constant.TryGetProperty("inner", out var inner))
            {
                foreach (var expr in inner.EnumerateArray())
                {
                    if (expr.TryGetProperty("value", out var v))
                    {
                        value = long.Parse(v.GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                        break;
                    }
                }
            }

            next = value + 1;
            string? memberComment = comments.Trailing(EndOffset(constant)) ?? comments.Leading(BeginOffset(constant));
            members.Add(new EnumMember(constant.GetProperty("name").GetString()!, value, memberComment));
        }

        return new EnumDefinition(name, comment, members);
    }

    private static FunctionDefinition ReadFunction(JsonElement node, string name, HeaderComments comments)
    {
        var functionType = CTypeParser.Parse(node.GetProperty("type").GetProperty("qualType").GetString()!) as CFunction
            ?? throw new GeneratorException($"{name}: not a function type");
        var parameters = new List<FunctionParameter>();
        if (node.TryGetProperty("inner", out var inner))
        {
            foreach (JsonElement p in inner.EnumerateArray())
            {
                if (p.GetProperty("kind").GetString() == "ParmVarDecl")
                {
                    string pName = p.TryGetProperty("name", out var pn) ? pn.GetString()! : $"arg{parameters.Count}";
                    parameters.Add(new FunctionParameter(pName, CTypeParser.Parse(p.GetProperty("type").GetProperty("qualType").GetString()!)));
                }
            }
        }

        if (parameters.Count != functionType.Parameters.Count)
        {
            throw new GeneratorException($"{name}: {parameters.Count} named parameters for {functionType.Parameters.Count} in its type");
        }

        return new FunctionDefinition(name, comments.Leading(BeginOffset(node)), functionType.Return, parameters);
    }

    private static string? FindDeclId(JsonElement node)
    {
        if (node.TryGetProperty("ownedTagDecl", out var owned))
        {
            return owned.GetProperty("id").GetString();
        }

        if (node.TryGetProperty("decl", out var decl))
        {
            return decl.GetProperty("id").GetString();
        }

        if (node.TryGetProperty("inner", out var inner))
        {
            foreach (var child in inner.EnumerateArray())
            {
                string? id = FindDeclId(child);
                if (id is not null)
                {
                    return id;
                }
            }
        }

        return null;
    }

    // A location inside a macro expansion (DT_API, bool) has spellingLoc/expansionLoc; the header
    // offset is the expansion's.
    private static int Offset(JsonElement loc) =>
        loc.TryGetProperty("expansionLoc", out var exp) ? exp.GetProperty("offset").GetInt32() : loc.GetProperty("offset").GetInt32();

    private static int BeginOffset(JsonElement node) => Offset(node.GetProperty("range").GetProperty("begin"));

    private static int EndOffset(JsonElement node) => Offset(node.GetProperty("range").GetProperty("end"));
}
