using System.Reflection;
using System.Runtime.InteropServices;

namespace Dialtone.Bindings;

/// <summary>
/// Finds libdialtone_webrtc where a deployed application's native libraries are, and refuses a
/// library built from another version of the header. Search order: the file or folder named by the
/// <c>DIALTONE_NATIVE_LIBRARY</c> environment variable when it is set (a development override, and
/// then the only place looked at); otherwise next to this assembly and the application, NuGet-style
/// <c>runtimes/&lt;rid&gt;/native/</c> below them, then the runtime's own native search (the
/// <c>deps.json</c> entries of a package reference, then the operating system's). It never searches
/// folders above the application: a library lying around in a parent folder is not this app's.
/// </summary>
internal static class NativeLibraryLoader
{
    /// <summary>Environment variable naming the library file, or the folder holding it, to load instead of the deployed one.</summary>
    public const string OverrideVariable = "DIALTONE_NATIVE_LIBRARY";

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
    /// Loads the library and checks its ABI version. Throws <see cref="DllNotFoundException"/> saying
    /// why a library that exists could not be loaded, or listing the places searched when none exists,
    /// or <see cref="NativeLibraryVersionException"/> on a mismatch.
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
            var refused = new List<string>();
            nint loaded = 0;
            string? from = null;
            foreach (string candidate in CandidatePaths())
            {
                searched.Add(candidate);
                if (!File.Exists(candidate))
                {
                    continue;
                }

                if (TryLoad(candidate, out loaded, out string why))
                {
                    from = candidate;
                    break;
                }

                refused.Add(why);
            }

            // A library that exists but cannot be loaded (too old a glibc, wrong architecture) is
            // the answer: say why rather than "not found".
            if (loaded == 0 && refused.Count > 0)
            {
                throw new DllNotFoundException($"{FileName} could not be loaded: {string.Join("; ", refused)}");
            }

            string? overridePath = OverridePath();
            if (loaded == 0 && overridePath is null &&
                NativeLibrary.TryLoad(FileName, typeof(NativeLibraryLoader).Assembly, null, out loaded))
            {
                from = FileName + " (runtime search path)";
            }

            if (loaded == 0)
            {
                throw new DllNotFoundException(overridePath is not null
                    ? $"{overridePath} (from {OverrideVariable}) does not exist."
                    : $"{FileName} was not found. Reference the Dialtone.Native.{RuntimeId} package (Dialtone.WebRtc brings it), or in a checkout build it with build/build-webrtc.sh. Searched: {string.Join(", ", searched)} and the runtime search path.");
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

    private static bool TryLoad(string path, out nint handle, out string why)
    {
        try
        {
            handle = NativeLibrary.Load(path);
            why = "";
            return true;
        }
        catch (DllNotFoundException e)
        {
            handle = 0;
            why = e.Message;
            return false;
        }
        catch (BadImageFormatException e)
        {
            handle = 0;
            why = $"{path}: {e.Message}";
            return false;
        }
    }

    /// <summary>The file named by <see cref="OverrideVariable"/> (a folder means the library inside it), or null when unset.</summary>
    private static string? OverridePath()
    {
        string? value = Environment.GetEnvironmentVariable(OverrideVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        string full = Path.GetFullPath(value);
        return Directory.Exists(full) ? Path.Combine(full, FileName) : full;
    }

    private static IEnumerable<string> CandidatePaths()
    {
        if (OverridePath() is { } overridePath)
        {
            return [overridePath];
        }

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

        return dirs.Distinct(StringComparer.Ordinal).Select(d => Path.Combine(d, FileName));
    }
}

/// <summary>The native library's ABI version differs from the one the bindings were generated for.</summary>
public sealed class NativeLibraryVersionException(string message) : Exception(message);
