using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Dialtone.Bindings.Generator;

namespace Dialtone.WebRtc.Tests.Bindings;

/// <summary>
/// Compiles a C program against the real header with clang, prints sizeof/offsetof of every struct
/// and field, and compares them with the generated C# structs — the layout is checked by a C
/// compiler, not by reading the generator's code.
/// </summary>
public sealed class StructLayoutTests
{
    [Fact]
    public void GeneratedStructsHaveTheCLayoutAndAreBlittable()
    {
        string root = RepositoryPaths.FindRoot(AppContext.BaseDirectory);
        string headerPath = RepositoryPaths.Header(root);
        var model = HeaderModel.Read(ClangRunner.DumpAstJson(headerPath), File.ReadAllBytes(headerPath));
        var structs = model.Structs.Where(s => s.Fields is not null).ToList();
        Assert.NotEmpty(structs);

        var program = new StringBuilder();
        program.AppendLine("#include <stdio.h>\n#include <stddef.h>\n#include \"webrtc_shim.h\"\nint main(void) {");
        foreach (var s in structs)
        {
            program.AppendLine($"  printf(\"{s.Name} %zu\\n\", sizeof({s.Name}));");
            foreach (var f in s.Fields!)
            {
                program.AppendLine($"  printf(\"{s.Name}.{f.Name} %zu\\n\", offsetof({s.Name}, {f.Name}));");
            }
        }

        program.AppendLine("  return 0;\n}");
        var native = CompileAndRun(program.ToString(), Path.GetDirectoryName(headerPath)!)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' '))
            .ToDictionary(p => p[0], p => int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));

        Assembly bindings = typeof(Dialtone.Bindings.WebRtcShim).Assembly;
        foreach (var s in structs)
        {
            Type type = bindings.GetType("Dialtone.Bindings." + CSharpEmitter.TypeName(s.Name), throwOnError: true)!;
            Assert.False((bool)typeof(RuntimeHelpers).GetMethod(nameof(RuntimeHelpers.IsReferenceOrContainsReferences))!
                .MakeGenericMethod(type).Invoke(null, null)!, $"{type.Name} contains references");
            Assert.DoesNotContain(type.GetFields(), f => f.FieldType == typeof(bool) || f.FieldType == typeof(char));
            Assert.Equal(native[s.Name], RuntimeHelpers.SizeOf(type.TypeHandle));
            foreach (var f in s.Fields!)
            {
                Assert.Equal(native[$"{s.Name}.{f.Name}"], (int)Marshal.OffsetOf(type, CSharpEmitter.Pascal(f.Name)));
            }
        }
    }

    private static string CompileAndRun(string source, string includeDir)
    {
        string dir = Directory.CreateTempSubdirectory("dialtone-layout-").FullName;
        try
        {
            string c = Path.Combine(dir, "layout.c");
            string exe = Path.Combine(dir, "layout");
            File.WriteAllText(c, source);
            Run("clang", "-std=c99", "-I", includeDir, c, "-o", exe);
            return Run(exe);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} failed: {err.Result}");
        return output;
    }
}
