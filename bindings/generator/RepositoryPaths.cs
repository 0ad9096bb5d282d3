namespace Dialtone.Bindings.Generator;

/// <summary>Where the header and the checked-in bindings live, relative to the repository root.</summary>
public static class RepositoryPaths
{
    public static string FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Interop.sln")))
            {
                return dir.FullName;
            }
        }

        throw new GeneratorException($"no Interop.sln found above {start}");
    }

    public static string Header(string root) =>
        Path.Combine(root, "native", "webrtc-shim", "include", "webrtc_shim.h");

    public static string GeneratedBindings(string root) =>
        Path.Combine(root, "bindings", "Dialtone.Bindings", "Generated", "WebRtcShim.g.cs");
}

public sealed class GeneratorException(string message) : Exception(message);
