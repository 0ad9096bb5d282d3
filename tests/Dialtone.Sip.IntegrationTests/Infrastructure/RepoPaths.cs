namespace Dialtone.Sip.IntegrationTests.Infrastructure;

/// <summary>Finds files of the repository (configs, scripts) from the test's output folder.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Infra(params string[] parts) => Path.Combine([Root, "tests", "infra", .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Interop.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Repository root (Interop.sln) not found above " + AppContext.BaseDirectory);
    }
}
