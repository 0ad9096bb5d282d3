namespace Dialtone.Interop.Tests.Infrastructure;

/// <summary>Where the browser side of the harness lives in the repository (tests/interop).</summary>
internal static class InteropPaths
{
    /// <summary>The repository root: the first folder above the test binaries holding Interop.sln.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>tests/interop: the page, package.json and (after the install script) node_modules and out/.</summary>
    public static string BrowserSide => Path.Combine(RepositoryRoot, "tests", "interop");

    public static string Page => Path.Combine(BrowserSide, "page");

    /// <summary>JsSIP bundled for the browser by <c>npm run bundle</c>.</summary>
    public static string JsSipBundle => Path.Combine(BrowserSide, "out", "jssip.js");

    public static string JsSipPackageJson => Path.Combine(BrowserSide, "node_modules", "jssip", "package.json");

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Interop.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No Interop.sln above {AppContext.BaseDirectory}: run the tests from the repository.");
    }
}
