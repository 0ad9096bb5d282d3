using System.Diagnostics;
using System.Runtime.InteropServices;
using Dialtone.Bindings;

namespace Dialtone.WebRtc.Tests.Bindings;

/// <summary>A library from another ABI version, or not a shim at all, is refused with a clear message.</summary>
public sealed class AbiVersionCheckTests
{
    [Fact]
    public void MismatchedVersionIsRefused()
    {
        WithLibrary("unsigned int dt_abi_version(void) { return 999; }", (handle, path) =>
        {
            var e = Assert.Throws<NativeLibraryVersionException>(() => NativeLibraryLoader.CheckAbiVersion(handle, path));
            Assert.Contains("version 999", e.Message, StringComparison.Ordinal);
            Assert.Contains($"version {WebRtcShim.DT_ABI_VERSION}", e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void LibraryWithoutTheExportIsRefused()
    {
        WithLibrary("int something_else(void) { return 1; }", (handle, path) =>
        {
            var e = Assert.Throws<NativeLibraryVersionException>(() => NativeLibraryLoader.CheckAbiVersion(handle, path));
            Assert.Contains("not a Dialtone WebRTC shim", e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void MatchingVersionIsAccepted()
    {
        WithLibrary($"unsigned int dt_abi_version(void) {{ return {WebRtcShim.DT_ABI_VERSION}; }}", NativeLibraryLoader.CheckAbiVersion);
    }

    private static void WithLibrary(string source, Action<nint, string> test)
    {
        string dir = Directory.CreateTempSubdirectory("dialtone-abi-").FullName;
        string c = Path.Combine(dir, "fake.c");
        string so = Path.Combine(dir, "libfake.so");
        File.WriteAllText(c, source);
        var psi = new ProcessStartInfo("clang") { RedirectStandardError = true };
        foreach (string a in new[] { "-shared", "-fPIC", c, "-o", so })
        {
            psi.ArgumentList.Add(a);
        }

        using (var p = Process.Start(psi)!)
        {
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, err);
        }

        nint handle = NativeLibrary.Load(so);
        try
        {
            test(handle, so);
        }
        finally
        {
            NativeLibrary.Free(handle);
            Directory.Delete(dir, recursive: true);
        }
    }
}
