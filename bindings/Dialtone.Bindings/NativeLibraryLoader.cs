using System.Reflection;
using System.Runtime.InteropServices;

namespace Dialtone.Bindings;

/// <summary>
/// Finds libdialtone_webrtc without environment variables and refuses a library built from another
/// version of the header. Search order: next to this assembly, NuGet-style
/// <c>runtimes/&lt;rid&gt;/native/</c> below it, then <c>artifacts/native/&lt;rid&gt;/</c> in the repository
/// found by walking up from <see cref="AppContext.BaseDirectory"/> (a developer's build tree), then the
/// operating system's default search.
/// </summary>
internal static class NativeLibraryLoader
{
    private static readonly Lock Gate = new();
    private static nint handle;
    private static string? loadedFrom;
    private static bool registered;

    /// <summary>The file the library was loaded from, once loaded.</summary>
    public static string? LoadedFrom => loadedFrom;

    /// <summary>Installs the resolver for this assembly. Idempotent; never throws.</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (registered)
            {
                return;
            }

            registered = true;
        }

        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);
    }

    /// <summary>
    /// Loads the library and checks its ABI version. Throws <see cref="DllNotFoundException"/> listing
    /// the places searched, or <see cref="NativeLibraryVersionException"/> on a mismatch.
    /// </summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (handle != 0)
            {
                return;
            }

            var searched = new List<string>();
            nint loaded = 0;
            string? from = null;
            foreach (string candidate in CandidatePaths())
            {
                searched.Add(candidate);
                if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out loaded))
                {
                    from = candidate;
                    break;
                }
            }

            if (loaded == 0 && NativeLibrary.TryLoad(FileName, typeof(NativeLibraryLoader).Assembly, null, out loaded))
            {
                from = FileName + " (system search path)";
            }

            if (loaded == 0)
            {
                throw new DllNotFoundException(
                    $"{FileName} was not found. Build it with build/build-webrtc.sh, or ship it in runtimes/{RuntimeId}/native/. Searched: {string.Join(", ", searched)} and the system search path.");
            }

            CheckAbiVersion(loaded, from!);
            handle = loaded;
            loadedFrom = from;
        }
    }

    /// <summary>Throws <see cref="NativeLibraryVersionException"/> unless <paramref name="library"/> exports the expected dt_abi_version.</summary>
    internal static unsafe void CheckAbiVersion(nint library, string from)
    {
        if (!NativeLibrary.TryGetExport(library, "dt_abi_version", out nint export))
        {
            throw new NativeLibraryVersionException($"{from} has no dt_abi_version export: it is not a Dialtone WebRTC shim.");
        }

        uint actual = ((delegate* unmanaged[Cdecl]<uint>)export)();
        if (actual != WebRtcShim.DT_ABI_VERSION)
        {
            throw new NativeLibraryVersionException(
                $"{from} implements Dialtone C ABI version {actual}, but these bindings were generated for version {WebRtcShim.DT_ABI_VERSION}. Rebuild the native shim and the managed code from the same source.");
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != WebRtcShim.LibraryName)
        {
            return 0;
        }

        // A failure here leaves the runtime's default probing to report DllNotFoundException; the
        // explicit EnsureLoaded call made by the managed API gives the detailed message first.
        try
        {
            EnsureLoaded();
            return handle;
        }
        catch (DllNotFoundException)
        {
            return 0;
        }
    }

    private static string FileName =>
        OperatingSystem.IsWindows() ? "dialtone_webrtc.dll"
        : OperatingSystem.IsMacOS() ? "libdialtone_webrtc.dylib"
        : "libdialtone_webrtc.so";

    private static string RuntimeId =>
        (OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux") + "-" +
        RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();

    private static IEnumerable<string> CandidatePaths()
    {
        var dirs = new List<string>();
        string? assemblyDir = Path.GetDirectoryName(typeof(NativeLibraryLoader).Assembly.Location);
        foreach (string? baseDir in new[] { assemblyDir, AppContext.BaseDirectory })
        {
            if (string.IsNullOrEmpty(baseDir))
            {
                continue;
            }

            dirs.Add(baseDir);
            dirs.Add(Path.Combine(baseDir, "runtimes", RuntimeId, "native"));
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string artifacts = Path.Combine(dir.FullName, "artifacts", "native", RuntimeId);
            if (Directory.Exists(artifacts))
            {
                dirs.Add(artifacts);
                break;
            }
        }

        return dirs.Distinct(StringComparer.Ordinal).Select(d => Path.Combine(d, FileName));
    }
}

/// <summary>The native library's ABI version differs from the one the bindings were generated for.</summary>
public sealed class NativeLibraryVersionException(string message) : Exception(message);
