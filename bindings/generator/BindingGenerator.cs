namespace Dialtone.Bindings.Generator;

/// <summary>Header in, C# bindings out. Deterministic: same header, same text.</summary>
public static class BindingGenerator
{
    public static string Generate(string headerPath)
    {
        if (!File.Exists(headerPath))
        {
            throw new GeneratorException($"header not found: {headerPath}");
        }

        string ast = ClangRunner.DumpAstJson(headerPath);
        var model = HeaderModel.Read(ast, File.ReadAllBytes(headerPath));
        model.Macros.AddRange(ClangRunner.IntegerMacros(headerPath));
        if (model.Functions.Count == 0)
        {
            throw new GeneratorException($"no {HeaderModel.Prefix}* functions found in {headerPath}");
        }

        return new CSharpEmitter(model, "native/webrtc-shim/include/" + Path.GetFileName(headerPath)).Emit();
    }
}
