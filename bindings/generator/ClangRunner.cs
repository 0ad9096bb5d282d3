using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Dialtone.Bindings.Generator;

/// <summary>Runs Debian's clang on the header: once for the JSON AST, once for the macro table.</summary>
public static partial class ClangRunner
{
    public static string ClangExecutable { get; set; } = "clang";

    public static string DumpAstJson(string headerPath) =>
        Run("-Xclang", "-ast-dump=json", "-fsyntax-only", "-x", "c", "-std=c99", headerPath);

    /// <summary>
    /// Integer object-like macros named DT_* (their values are not in the AST). `clang -dM -E` lists
    /// every macro after preprocessing, so the value is what a C compiler sees.
    /// </summary>
    public static IReadOnlyList<(string Name, long Value)> IntegerMacros(string headerPath)
    {
        string defines = Run("-dM", "-E", "-x", "c", "-std=c99", headerPath);
        var result = new List<(string, long)>();
        foreach (Match m in DefineLine().Matches(defines))
        {
            result.Add((m.Groups[1].Value, long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)));
        }

        result.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return result;
    }

    [GeneratedRegex(@"^#define (DT_[A-Z0-9_]+) (-?[0-9]+)$", RegexOptions.Multiline)]
    private static partial Regex DefineLine();

    private static string Run(params string[] args)
    {
        var psi = new ProcessStartInfo(ClangExecutable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new GeneratorException("clang did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new GeneratorException($"cannot run '{ClangExecutable}' ({e.Message}); install Debian's clang (apt-get install clang)");
        }

        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new GeneratorException($"clang failed ({process.ExitCode}): {stderr.Result}");
            }

            return stdout;
        }
    }
}
