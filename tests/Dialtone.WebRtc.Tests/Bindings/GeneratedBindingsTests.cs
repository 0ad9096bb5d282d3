using Dialtone.Bindings.Generator;

namespace Dialtone.WebRtc.Tests.Bindings;

/// <summary>The checked-in bindings are exactly what the generator makes of the current header.</summary>
public sealed class GeneratedBindingsTests
{
    [Fact]
    public void CheckedInBindingsMatchTheHeader()
    {
        string root = RepositoryPaths.FindRoot(AppContext.BaseDirectory);
        string expected = BindingGenerator.Generate(RepositoryPaths.Header(root));
        string actual = File.ReadAllText(RepositoryPaths.GeneratedBindings(root));
        Assert.True(expected == actual,
            "bindings/Dialtone.Bindings/Generated/WebRtcShim.g.cs is out of date with webrtc_shim.h: run `dotnet run --project bindings/generator` and commit the result. First difference at character "
            + FirstDifference(expected, actual));
    }

    [Fact]
    public void GeneratorCoversEveryExportedFunction()
    {
        string root = RepositoryPaths.FindRoot(AppContext.BaseDirectory);
        string header = File.ReadAllText(RepositoryPaths.Header(root));
        string generated = File.ReadAllText(RepositoryPaths.GeneratedBindings(root));
        var declared = System.Text.RegularExpressions.Regex.Matches(header, @"DT_API\s+[\w\s\*]+?\b(dt_\w+)\s*\(")
            .Select(m => m.Groups[1].Value).ToList();
        Assert.True(declared.Count > 40, $"only {declared.Count} DT_API functions matched in the header");
        foreach (string name in declared)
        {
            Assert.Contains($"EntryPoint = \"{name}\"", generated, StringComparison.Ordinal);
        }
    }

    private static int FirstDifference(string a, string b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            if (a[i] != b[i])
            {
                return i;
            }
        }

        return n;
    }
}
